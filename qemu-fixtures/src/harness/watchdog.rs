//! How a test stops in time: SIGTERM (nextest's timeout) and SIGINT mark
//! `vm::interrupt` so every wait ends at once with what it waited for; the
//! test's deadline (`QEMU_TEST_TIMEOUT`) bounds every wait; and a watchdog
//! records a timeout for a test that has not concluded soon after, kills its
//! QEMUs and exits non-zero, well inside nextest's grace period.
//!
//! nextest tells a test nothing of its timeout, so the deadline is opt-in:
//! with `QEMU_TEST_TIMEOUT=<seconds>` (which `xtask tap` sets from
//! .config/nextest.toml) waits end a margin before it; without it, nextest's
//! SIGTERM is what ends a hang, and the framework still speaks first.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

use super::testenv::TestEnv;
use crate::vm::interrupt::{self, Stop};

/// How long after a signal (or the deadline) the watchdog lets the body
/// conclude by itself: nextest's grace period is 10 s by default.
pub const GRACE: Duration = Duration::from_secs(3);

/// The variable that sets a test's deadline, in seconds.
pub const TIMEOUT_VARIABLE: &str = "QEMU_TEST_TIMEOUT";

/// A test that started and has not yet recorded its verdict.
pub(crate) struct InFlight {
    pub env: Arc<TestEnv>,
    pub started: Instant,
    claimed: AtomicBool,
}

impl InFlight {
    /// True for the first caller only: who records the verdict.
    pub fn claim(&self) -> bool {
        !self.claimed.swap(true, Ordering::SeqCst)
    }
}

/// Keeps a test listed as in flight until dropped.
pub(crate) struct Watch(Arc<InFlight>);

impl Watch {
    pub fn in_flight(&self) -> &InFlight {
        &self.0
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        IN_FLIGHT
            .lock()
            .unwrap()
            .retain(|other| !Arc::ptr_eq(other, &self.0));
    }
}

/// Lists `env`'s test as in flight, for the watchdog.
pub(crate) fn watch(env: Arc<TestEnv>) -> Watch {
    let in_flight = Arc::new(InFlight {
        env,
        started: Instant::now(),
        claimed: AtomicBool::new(false),
    });
    IN_FLIGHT.lock().unwrap().push(in_flight.clone());
    Watch(in_flight)
}

/// Installs the signal handlers, the deadline and the watchdog, once per
/// process; `on_stop` records and prints a test the watchdog gives up on.
pub(crate) fn install(on_stop: fn(&InFlight, Stop)) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let limit = timeout_from_env();
        if let Some(limit) = limit {
            interrupt::set_deadline(Instant::now() + limit - margin(limit), limit);
        }
        let _ = ON_STOP.set(on_stop);
        let mut fds = [0; 2];
        // SAFETY: pipe2 writes two descriptors into `fds`.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return;
        }
        PIPE_WRITE.store(fds[1], Ordering::SeqCst);
        let spawned = std::thread::Builder::new()
            .name("watchdog".to_owned())
            .spawn(move || run(fds[0]));
        if spawned.is_err() {
            return;
        }
        for signal in [libc::SIGTERM, libc::SIGINT] {
            // SAFETY: the handler only stores an atomic and writes a pipe,
            // both async-signal-safe.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    });
}

/// `QEMU_TEST_TIMEOUT` in seconds, when set to a positive number.
pub fn timeout_from_env() -> Option<Duration> {
    std::env::var(TIMEOUT_VARIABLE)
        .ok()
        .and_then(|value| value.trim().parse::<f64>().ok())
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .map(Duration::from_secs_f64)
}

/// How long before the deadline waits end: room to record the verdict and
/// stop QEMU, a fifth of the limit, between 1 and 15 seconds.
pub fn margin(limit: Duration) -> Duration {
    (limit / 5)
        .clamp(Duration::from_secs(1), Duration::from_secs(15))
        .min(limit / 2)
}

static IN_FLIGHT: Mutex<Vec<Arc<InFlight>>> = Mutex::new(Vec::new());
static ON_STOP: OnceLock<fn(&InFlight, Stop)> = OnceLock::new();
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(signal: libc::c_int) {
    interrupt::raise(signal);
    let fd = PIPE_WRITE.load(Ordering::SeqCst);
    if fd >= 0 {
        let byte = signal as u8;
        // SAFETY: write(2) is async-signal-safe; `byte` outlives the call.
        unsafe { libc::write(fd, (&raw const byte).cast(), 1) };
    }
}

/// The watchdog: waits for a signal or the deadline, gives the body
/// `GRACE` to conclude, then records what is still in flight and exits.
fn run(read_fd: i32) {
    let mut deadline_armed = true;
    let stop = loop {
        let timeout_ms = match interrupt::deadline().filter(|_| deadline_armed) {
            Some(at) => {
                let left = (at + GRACE).saturating_duration_since(Instant::now());
                left.as_millis().min(i32::MAX as u128) as i32
            }
            None => -1,
        };
        let mut poll = libc::pollfd {
            fd: read_fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one pollfd, ours.
        let ready = unsafe { libc::poll(&mut poll, 1, timeout_ms) };
        if ready > 0 {
            let mut byte = 0u8;
            // SAFETY: reads one byte into `byte`.
            unsafe { libc::read(read_fd, (&raw mut byte).cast(), 1) };
            break Stop::Signal(interrupt::signal().unwrap_or(byte as i32));
        }
        if ready == 0 {
            // The deadline and its grace passed: only a test still running
            // is our business.
            if !IN_FLIGHT.lock().unwrap().is_empty() {
                break Stop::Deadline(timeout_from_env().unwrap_or_default());
            }
            // Nothing in flight: wait for a signal alone from now on.
            deadline_armed = false;
        }
    };
    let signalled = matches!(stop, Stop::Signal(_));
    if signalled {
        let since = Instant::now();
        while since.elapsed() < GRACE && !IN_FLIGHT.lock().unwrap().is_empty() {
            std::thread::sleep(Duration::from_millis(50));
        }
        // Teardown of a concluded test gets the rest of the grace.
        while since.elapsed() < GRACE {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let left: Vec<Arc<InFlight>> = IN_FLIGHT.lock().unwrap().clone();
    if let Some(on_stop) = ON_STOP.get() {
        for in_flight in &left {
            if in_flight.claim() {
                on_stop(in_flight, stop);
            }
        }
    }
    interrupt::kill_all();
    // Not exit(): the test's threads are still running and may hold locks
    // that atexit handlers want.
    // SAFETY: _exit ends the process at once.
    unsafe { libc::_exit(1) };
}
