//! Host programs a test runs beside QEMU (vhost-user-gpu,
//! vhost-user-bridge), as upstream's `subprocess.Popen` with the output in
//! a log file: stopped by `terminate` or when dropped, killed with the test
//! process if that dies.

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use crate::harness::{TestEnv, TestError};
use crate::vm::Exit;
use crate::vm::process::{Process, shell_quote};

/// How long a daemon may take to exit after SIGTERM before SIGKILL.
const TERM_TIMEOUT: Duration = Duration::from_secs(10);
/// How long upstream's bare `wait()` may take here: a daemon that never
/// ends fails the test rather than hang it.
const WAIT_TIMEOUT: Duration = Duration::from_secs(60);

/// A running host program (Python's `Popen`); it inherits every descriptor
/// that is not close-on-exec, as `close_fds=False`, e.g. an end of
/// [`crate::vm::inheritable_socket_pair`].
pub struct Daemon {
    process: Arc<Process>,
    shown: String,
}

impl TestEnv {
    /// Starts `program args` with stdin from /dev/null and stdout and
    /// stderr in the log directory's `log_name` (upstream's
    /// `self.log_file(...)`), and logs where that is.
    pub fn start_daemon<I, S>(
        &self,
        log_name: &str,
        program: &Path,
        args: I,
    ) -> Result<Daemon, TestError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let shown = shell_quote(program, &args);
        let log = self.log_file([log_name]);
        self.log(format_args!(
            "starting {shown}; its output is in {}",
            log.display()
        ));
        let mut command = Command::new(program);
        command.args(&args);
        let process = Process::spawn(command, &log, Vec::new())
            .map_err(|err| TestError::io(format!("starting {shown}"), err))?;
        Ok(Daemon { process, shown })
    }
}

impl Daemon {
    /// The daemon's pid.
    pub fn pid(&self) -> i32 {
        self.process.pid()
    }

    /// How it ended, if it has.
    pub fn exit(&self) -> Option<Exit> {
        self.process.exit()
    }

    /// Python's `wait()`: waits for the daemon to end by itself, its
    /// output copied to the log; one still running after a minute fails.
    pub fn wait(&self) -> Result<Exit, TestError> {
        let exit = self.process.wait_timeout(WAIT_TIMEOUT).ok_or_else(|| {
            TestError::check(format!(
                "{} still runs {}s later",
                self.shown,
                WAIT_TIMEOUT.as_secs()
            ))
        })?;
        self.process.wait_output(TERM_TIMEOUT);
        Ok(exit)
    }

    /// Python's `terminate(); wait()`: SIGTERM, then SIGKILL if it is
    /// still running [`TERM_TIMEOUT`] later; how it ended.
    pub fn terminate(&self) -> Result<Exit, TestError> {
        self.process.signal(libc::SIGTERM);
        let exit = match self.process.wait_timeout(TERM_TIMEOUT) {
            Some(exit) => exit,
            None => {
                self.process.signal(libc::SIGKILL);
                self.process
                    .wait_timeout(TERM_TIMEOUT)
                    .ok_or_else(|| TestError::check(format!("{} survived SIGKILL", self.shown)))?
            }
        };
        self.process.wait_output(TERM_TIMEOUT);
        Ok(exit)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.process.exit().is_none() {
            let _ = self.terminate();
        }
        self.process.join();
    }
}
