//! A child process that cannot outlive the test: spawned so that it dies
//! with the test process, reaped by a thread of its own, signalled without a
//! pid race, its output copied to a log with the tail kept for error
//! messages.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::RawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

/// How much of the process's output is kept in memory for error messages.
const TAIL_BYTES: usize = 8 * 1024;

/// How a process ended, in the words a failure message uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit(pub ExitStatus);

impl Exit {
    pub fn code(&self) -> Option<i32> {
        self.0.code()
    }

    pub fn signal(&self) -> Option<i32> {
        self.0.signal()
    }

    pub fn success(&self) -> bool {
        self.0.success()
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0.code(), self.0.signal()) {
            (Some(code), _) => write!(f, "exited with code {code}"),
            (None, Some(signal)) => write!(
                f,
                "was killed by signal {signal} ({}){}",
                signal_name(signal),
                if self.0.core_dumped() {
                    ", core dumped"
                } else {
                    ""
                }
            ),
            _ => write!(f, "ended with status {:?}", self.0),
        }
    }
}

/// A running (or ended) child process.
pub struct Process {
    pid: i32,
    program: String,
    state: Mutex<Option<Exit>>,
    exited: Condvar,
    output: Arc<Output>,
    /// Copies the output; it ends when the last holder of the pipe closes
    /// it, which may be a child of the process that outlives it.
    copier: Mutex<Option<JoinHandle<()>>>,
    reaper: Mutex<Option<JoinHandle<()>>>,
}

impl Process {
    /// Spawns `command` with its stdout and stderr copied to `output_log`,
    /// stdin from /dev/null, and `inherit` file descriptors passed through.
    /// The child gets SIGKILL when this test process dies.
    pub fn spawn(
        mut command: Command,
        output_log: &Path,
        inherit: Vec<RawFd>,
    ) -> io::Result<Arc<Process>> {
        let program = command.get_program().to_string_lossy().into_owned();
        let (reader, writer) = io::pipe()?;
        command
            .stdin(Stdio::null())
            .stdout(writer.try_clone()?)
            .stderr(writer);
        let parent = std::process::id() as i32;
        // SAFETY: only async-signal-safe calls (fcntl, prctl, getppid)
        // between fork and exec.
        unsafe {
            command.pre_exec(move || {
                for &fd in &inherit {
                    if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                        return Err(io::Error::last_os_error());
                    }
                }
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(io::Error::last_os_error());
                }
                // The parent may have died before prctl took effect.
                if libc::getppid() != parent {
                    return Err(io::Error::other("the test process is gone"));
                }
                Ok(())
            });
        }
        let child = spawn_from_long_lived_thread(command)?;
        let output = Arc::new(Output::new(File::create(output_log)?));
        let process = Arc::new(Process {
            pid: child.id() as i32,
            program,
            state: Mutex::new(None),
            exited: Condvar::new(),
            output: output.clone(),
            copier: Mutex::new(None),
            reaper: Mutex::new(None),
        });
        super::interrupt::register(process.pid);
        let copier = std::thread::Builder::new()
            .name(format!("output-{}", process.pid))
            .spawn(move || output.copy_from(reader))?;
        let reaper = {
            let process = process.clone();
            std::thread::Builder::new()
                .name(format!("reaper-{}", process.pid))
                .spawn(move || process.reap(child))?
        };
        *process.copier.lock().unwrap() = Some(copier);
        *process.reaper.lock().unwrap() = Some(reaper);
        Ok(process)
    }

    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// How the process ended, if it has.
    pub fn exit(&self) -> Option<Exit> {
        *self.state.lock().unwrap()
    }

    /// Waits up to `timeout` for the process to end.
    pub fn wait_timeout(&self, timeout: Duration) -> Option<Exit> {
        let state = self.state.lock().unwrap();
        let (state, _) = self
            .exited
            .wait_timeout_while(state, timeout, |exit| exit.is_none())
            .unwrap();
        *state
    }

    /// Sends `signal` unless the process has already been reaped, so a
    /// recycled pid is never hit.
    pub fn signal(&self, signal: i32) {
        let state = self.state.lock().unwrap();
        if state.is_none() {
            // SAFETY: the pid is ours and not yet reaped (we hold the lock the
            // reaper needs before it reaps).
            unsafe {
                libc::kill(self.pid, signal);
            }
        }
    }

    /// CPU time the process has used (user + system), from /proc.
    pub fn cpu_time(&self) -> Option<Duration> {
        cpu_time_of(self.pid)
    }

    /// The last bytes the process wrote to stdout and stderr.
    pub fn output_tail(&self) -> String {
        self.output.tail()
    }

    /// Waits until the output has been copied to its log (the process and
    /// anything holding its pipe have ended), for at most `timeout`.
    pub fn wait_output(&self, timeout: Duration) -> bool {
        self.output.wait_done(timeout)
    }

    /// Joins the helper threads once the process has ended; the output
    /// copier only if the output is complete, since a child the process
    /// left behind may hold its pipe open.
    pub fn join(&self) {
        if self.exit().is_none() {
            return;
        }
        if let Some(reaper) = self.reaper.lock().unwrap().take() {
            let _ = reaper.join();
        }
        if self.output.wait_done(Duration::ZERO)
            && let Some(copier) = self.copier.lock().unwrap().take()
        {
            let _ = copier.join();
        }
    }

    /// The processes this one started, and theirs, that still run (QEMU's
    /// `exec:` migration helpers run through `sh -c`, its network
    /// scripts), each with its start time, so that [`kill_leftovers`] can
    /// end them once this one is gone.
    pub fn descendants(&self) -> Vec<(i32, u64)> {
        let table: Vec<Stat> = processes().collect();
        let mut found: Vec<(i32, u64)> = Vec::new();
        let mut parents = vec![self.pid];
        while let Some(parent) = parents.pop() {
            for stat in table.iter().filter(|stat| stat.parent == parent) {
                found.push((stat.pid, stat.started));
                parents.push(stat.pid);
            }
        }
        found
    }

    pub fn program(&self) -> &str {
        &self.program
    }

    fn reap(&self, mut child: Child) {
        // Wait without reaping, so the pid stays ours until we hold the lock.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        loop {
            // SAFETY: waitid writes into `info`, which we own.
            let rc = unsafe {
                libc::waitid(
                    libc::P_PID,
                    self.pid as libc::id_t,
                    &mut info,
                    libc::WEXITED | libc::WNOWAIT,
                )
            };
            if rc == 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                break;
            }
        }
        // Still a zombie here: off the kill list before its pid is freed.
        super::interrupt::unregister(self.pid);
        let mut state = self.state.lock().unwrap();
        let status = child.wait().expect("waiting for a child we spawned");
        *state = Some(Exit(status));
        drop(state);
        self.exited.notify_all();
    }
}

impl fmt::Debug for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Process")
            .field("pid", &self.pid)
            .field("program", &self.program)
            .field("exit", &self.exit())
            .finish()
    }
}

/// The copy of a process's output: the log file and a tail in memory.
struct Output {
    file: Mutex<File>,
    tail: Mutex<VecDeque<u8>>,
    done: Mutex<bool>,
    finished: Condvar,
}

impl Output {
    fn new(file: File) -> Output {
        Output {
            file: Mutex::new(file),
            tail: Mutex::new(VecDeque::with_capacity(TAIL_BYTES)),
            done: Mutex::new(false),
            finished: Condvar::new(),
        }
    }

    fn copy_from(&self, mut reader: io::PipeReader) {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let _ = self.file.lock().unwrap().write_all(&buf[..n]);
                    let mut tail = self.tail.lock().unwrap();
                    tail.extend(&buf[..n]);
                    let excess = tail.len().saturating_sub(TAIL_BYTES);
                    tail.drain(..excess);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        *self.done.lock().unwrap() = true;
        self.finished.notify_all();
    }

    fn tail(&self) -> String {
        let tail = self.tail.lock().unwrap();
        let bytes: Vec<u8> = tail.iter().copied().collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn wait_done(&self, timeout: Duration) -> bool {
        let done = self.done.lock().unwrap();
        let (done, _) = self
            .finished
            .wait_timeout_while(done, timeout, |done| !*done)
            .unwrap();
        *done
    }
}

/// `PR_SET_PDEATHSIG` fires when the thread that spawned the child exits,
/// not the process: a test that spawns from a short-lived thread would lose
/// its QEMU early. So every child is spawned from one thread that lives as
/// long as the process.
fn spawn_from_long_lived_thread(command: Command) -> io::Result<Child> {
    type Request = (Command, mpsc::Sender<io::Result<Child>>);
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<Request>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (sender, receiver) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("qemu-spawner".to_owned())
            .spawn(move || {
                for (mut command, reply) in receiver {
                    let _ = reply.send(command.spawn());
                }
            })
            .expect("cannot start the spawner thread");
        Mutex::new(sender)
    });
    let (reply, result) = mpsc::channel();
    spawner
        .lock()
        .unwrap()
        .send((command, reply))
        .map_err(|_| io::Error::other("the spawner thread is gone"))?;
    result
        .recv()
        .map_err(|_| io::Error::other("the spawner thread is gone"))?
}

/// CPU time (user + system) of a process, from `/proc/<pid>/stat`.
pub fn cpu_time_of(pid: i32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: fields are
    // counted after the last ')'. utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let ticks = if ticks > 0 { ticks as u64 } else { 100 };
    Some(Duration::from_micros((utime + stime) * 1_000_000 / ticks))
}

/// Every running process whose executable name starts with `prefix`, as
/// (pid, command line): how tests prove that no QEMU was left behind.
pub fn processes_named(prefix: &str) -> Vec<(i32, String)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let argv0 = cmdline.split(|&b| b == 0).next().unwrap_or_default();
        let name = Path::new(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(argv0))
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with(prefix) {
            let line = cmdline
                .split(|&b| b == 0)
                .map(|arg| String::from_utf8_lossy(arg).into_owned())
                .collect::<Vec<_>>()
                .join(" ");
            found.push((pid, line.trim_end().to_owned()));
        }
    }
    found
}

/// Kills with SIGKILL those of `children` (from [`Process::descendants`]) that
/// still run as the same process (same start time): a child QEMU left
/// behind must not outlive the test. Returns the pids it killed.
pub fn kill_leftovers(children: &[(i32, u64)]) -> Vec<i32> {
    let running: Vec<Stat> = processes().collect();
    let mut killed = Vec::new();
    for &(pid, started) in children {
        if running.iter().any(|s| s.pid == pid && s.started == started) {
            // SAFETY: kill has no memory effects; the start time matched,
            // so the pid was not reused.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
            killed.push(pid);
        }
    }
    killed
}

/// One line of `/proc/<pid>/stat`: what identifies a process.
struct Stat {
    pid: i32,
    parent: i32,
    /// Clock ticks after boot: with the pid, a process's identity.
    started: u64,
}

fn processes() -> impl Iterator<Item = Stat> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // The command name may hold spaces and parentheses: fields
            // are counted after its closing parenthesis.
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            Some(Stat {
                pid,
                parent: fields.get(1)?.parse().ok()?,
                started: fields.get(19)?.parse().ok()?,
            })
        })
}

/// A command line as a shell would read it, for `base.log`.
pub fn shell_quote(program: &Path, args: &[OsString]) -> String {
    let words: Vec<String> = std::iter::once(program.as_os_str())
        .chain(args.iter().map(OsString::as_os_str))
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    shlex::try_join(words.iter().map(String::as_str))
        // Only a NUL byte makes a word unquotable, and no argv holds one.
        .unwrap_or_else(|_| words.join(" "))
}

/// The name of a signal, `SIGSEGV`; numbers differ between host
/// architectures, so the names come from libc's constants.
pub fn signal_name(signal: i32) -> String {
    const NAMES: &[(i32, &str)] = &[
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGINT, "SIGINT"),
        (libc::SIGQUIT, "SIGQUIT"),
        (libc::SIGILL, "SIGILL"),
        (libc::SIGTRAP, "SIGTRAP"),
        (libc::SIGABRT, "SIGABRT"),
        (libc::SIGBUS, "SIGBUS"),
        (libc::SIGFPE, "SIGFPE"),
        (libc::SIGKILL, "SIGKILL"),
        (libc::SIGUSR1, "SIGUSR1"),
        (libc::SIGSEGV, "SIGSEGV"),
        (libc::SIGUSR2, "SIGUSR2"),
        (libc::SIGPIPE, "SIGPIPE"),
        (libc::SIGALRM, "SIGALRM"),
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGCHLD, "SIGCHLD"),
        (libc::SIGCONT, "SIGCONT"),
        (libc::SIGSTOP, "SIGSTOP"),
        (libc::SIGTSTP, "SIGTSTP"),
        (libc::SIGTTIN, "SIGTTIN"),
        (libc::SIGTTOU, "SIGTTOU"),
        (libc::SIGURG, "SIGURG"),
        (libc::SIGXCPU, "SIGXCPU"),
        (libc::SIGXFSZ, "SIGXFSZ"),
        (libc::SIGVTALRM, "SIGVTALRM"),
        (libc::SIGPROF, "SIGPROF"),
        (libc::SIGWINCH, "SIGWINCH"),
        (libc::SIGIO, "SIGIO"),
        (libc::SIGPWR, "SIGPWR"),
        (libc::SIGSYS, "SIGSYS"),
    ];
    if let Some((_, name)) = NAMES.iter().find(|(number, _)| *number == signal) {
        return (*name).to_owned();
    }
    let (min, max) = (libc::SIGRTMIN(), libc::SIGRTMAX());
    if (min..=max).contains(&signal) {
        return format!("SIGRTMIN+{}", signal - min);
    }
    format!("signal {signal}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_signal_has_its_name() {
        assert_eq!(signal_name(libc::SIGSYS), "SIGSYS");
        assert_eq!(signal_name(libc::SIGSEGV), "SIGSEGV");
        assert_eq!(signal_name(libc::SIGRTMIN() + 2), "SIGRTMIN+2");
        assert_eq!(signal_name(200), "signal 200");
    }

    #[test]
    fn base_log_command_lines_split_back_into_the_arguments() {
        let args: Vec<OsString> = ["-M", "virt", "-append", "console=ttyS0 it's", ""]
            .into_iter()
            .map(OsString::from)
            .collect();
        let line = shell_quote(Path::new("/usr/bin/qemu-system-arm"), &args);
        let words = shlex::split(&line).unwrap();
        assert_eq!(words[0], "/usr/bin/qemu-system-arm");
        assert_eq!(
            words[1..],
            ["-M", "virt", "-append", "console=ttyS0 it's", ""]
        );
    }
}
