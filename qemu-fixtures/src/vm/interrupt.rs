//! Whether this test process was told to stop (nextest's timeout sends
//! SIGTERM, Ctrl-C SIGINT) or passed its deadline: every wait polls it and
//! ends at once, saying what it waited for. The harness sets both.
//!
//! The flag is one atomic, so that a signal handler may set it; the live
//! QEMUs are listed here so that a watchdog can kill them before exiting.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use super::process::signal_name;

static SIGNAL: AtomicI32 = AtomicI32::new(0);
static DEADLINE: Mutex<Option<(Instant, Duration)>> = Mutex::new(None);
static LIVE: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// Why a wait was cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The process received this signal.
    Signal(i32),
    /// The test's deadline (`QEMU_TEST_TIMEOUT`, this many seconds) passed.
    Deadline(Duration),
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Signal(signal) if *signal == libc::SIGTERM => {
                write!(f, "interrupted by SIGTERM (nextest's timeout)")
            }
            Stop::Signal(signal) if *signal == libc::SIGINT => {
                write!(f, "interrupted by SIGINT (Ctrl-C)")
            }
            Stop::Signal(signal) => write!(f, "interrupted by {}", signal_name(*signal)),
            Stop::Deadline(limit) => write!(
                f,
                "the test's deadline passed (QEMU_TEST_TIMEOUT={}s)",
                limit.as_secs_f64()
            ),
        }
    }
}

/// Marks the process as signalled. Async-signal-safe: one atomic store.
pub fn raise(signal: i32) {
    SIGNAL.store(signal, Ordering::SeqCst);
}

/// The signal that stopped the process, if one did.
pub fn signal() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// The stop signal behind a QEMU that just went away, if there is one.
///
/// nextest's timeout signals the whole process group: QEMU may handle its
/// SIGTERM and exit before any thread of ours has run the handler. So a
/// wait that sees QEMU go asks here: the flag, then the signals delivered
/// but not yet handled, for a moment.
pub fn signal_behind_exit() -> Option<i32> {
    const LOOK_FOR: Duration = Duration::from_millis(50);
    let started = Instant::now();
    loop {
        if let Some(signal) = signal().or_else(|| pending_stop(&[libc::SIGTERM, libc::SIGINT])) {
            return Some(signal);
        }
        if started.elapsed() >= LOOK_FOR {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The first of `signals` pending for this thread or the process.
fn pending_stop(signals: &[i32]) -> Option<i32> {
    // SAFETY: sigpending fills the zeroed set; sigismember reads it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        if libc::sigpending(&mut set) != 0 {
            return None;
        }
        signals
            .iter()
            .copied()
            .find(|&signal| libc::sigismember(&set, signal) == 1)
    }
}

/// Sets the instant no wait may pass, and the limit it came from.
pub fn set_deadline(at: Instant, limit: Duration) {
    *DEADLINE.lock().unwrap() = Some((at, limit));
}

/// The instant no wait may pass, if the harness set one.
pub fn deadline() -> Option<Instant> {
    DEADLINE.lock().unwrap().map(|(at, _)| at)
}

/// Whether a wait must end now, and why: a signal first, then the deadline.
pub fn check() -> Option<Stop> {
    if let Some(signal) = signal() {
        return Some(Stop::Signal(signal));
    }
    let (at, limit) = (*DEADLINE.lock().unwrap())?;
    (Instant::now() >= at).then_some(Stop::Deadline(limit))
}

/// `timeout` from now, shortened so it ends at the deadline.
pub fn bounded(timeout: Duration) -> Duration {
    match deadline() {
        Some(at) => timeout.min(at.saturating_duration_since(Instant::now())),
        None => timeout,
    }
}

/// Lists a QEMU as live, for `kill_all`.
pub(crate) fn register(pid: i32) {
    LIVE.lock().unwrap().push(pid);
}

/// Takes a reaped QEMU off the list: its pid may be reused.
pub(crate) fn unregister(pid: i32) {
    LIVE.lock().unwrap().retain(|live| *live != pid);
}

/// SIGKILLs every QEMU this process started and has not reaped: the last
/// thing a test does before it exits on a signal.
pub fn kill_all() -> Vec<i32> {
    // Held while killing: the reaper unregisters a pid before it reaps it,
    // so no pid here has been reused.
    let live = LIVE.lock().unwrap();
    for &pid in live.iter() {
        // SAFETY: a child of ours, not yet reaped.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    live.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A signal delivered but not yet handled counts: it is blocked on this
    /// thread here, as it is while no thread of a loaded test has run the
    /// handler yet.
    #[test]
    fn a_pending_stop_signal_is_behind_the_exit() {
        // SAFETY: blocks, raises and then consumes SIGINT on this thread
        // only; it is never delivered, so no handler or default action runs.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGINT);
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            assert_eq!(signal_behind_exit(), None, "nothing was sent yet");
            libc::pthread_kill(libc::pthread_self(), libc::SIGINT);
            assert_eq!(signal_behind_exit(), Some(libc::SIGINT));
            let mut info: libc::siginfo_t = std::mem::zeroed();
            let now = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            assert_eq!(libc::sigtimedwait(&set, &mut info, &now), libc::SIGINT);
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        }
    }
}
