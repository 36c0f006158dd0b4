//! User-mode QEMU (`qemu-<arch>`), as Python's `QemuUserTest`: run one
//! binary of the target under it and capture what it printed.

use std::ffi::OsStr;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use super::binary::{find_command, is_executable};
use super::logs::{Host, Logs};
use super::machine::MachineError;
use super::unavailable::Unavailable;

/// A `qemu-<arch>` found on this host, logging to its owner's `base.log`.
pub struct User {
    binary: PathBuf,
    logs: Logs,
}

/// What one run printed, and how it ended.
#[derive(Debug)]
pub struct UserOutput {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl User {
    /// The owner's target's user-mode QEMU: `QEMU_TEST_QEMU_USER_BINARY`,
    /// else `$QEMU_BUILD_ROOT/qemu-<arch>`, else `qemu-<arch>` on `PATH`
    /// (Debian's `qemu-user`); a skip when there is none.
    pub fn new<H: Host>(host: &H) -> Result<User, Unavailable> {
        let binary = user_binary(host.arch())?;
        host.logs()
            .log(format_args!("user-mode QEMU {}", binary.display()));
        Ok(User {
            binary,
            logs: host.logs().clone(),
        })
    }

    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// `run_cmd`: runs `program` with `args` under this QEMU, stdin from
    /// /dev/null, and returns its output whatever its exit status. The
    /// process gets SIGKILL if the test process dies first.
    pub fn run_cmd<S: AsRef<OsStr>>(
        &self,
        program: &Path,
        args: &[S],
    ) -> Result<UserOutput, MachineError> {
        let mut command = Command::new(&self.binary);
        command.arg(program).args(args).stdin(Stdio::null());
        // SAFETY: prctl is async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let line = std::iter::once(program.as_os_str())
            .chain(args.iter().map(AsRef::as_ref))
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        self.logs.log(format_args!(
            "user: running {} {line}",
            self.binary.display()
        ));
        let output = command.output().map_err(|source| MachineError::Spawn {
            program: self.binary.display().to_string(),
            source,
        })?;
        let output = UserOutput {
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        self.logs.log(format_args!(
            "user: {line}: {}\nstdout:\n{}stderr:\n{}",
            describe(output.status),
            output.stdout,
            output.stderr
        ));
        Ok(output)
    }
}

/// Finds `qemu-<arch>`, or says why there is none.
pub fn user_binary(arch: &str) -> Result<PathBuf, Unavailable> {
    if let Some(binary) = std::env::var_os("QEMU_TEST_QEMU_USER_BINARY").filter(|b| !b.is_empty()) {
        let binary = PathBuf::from(binary);
        return if is_executable(&binary) {
            Ok(binary)
        } else {
            Err(Unavailable::UserBinaryNotExecutable { path: binary })
        };
    }
    let name = format!("qemu-{arch}");
    if let Some(root) = std::env::var_os("QEMU_BUILD_ROOT").filter(|r| !r.is_empty()) {
        let binary = PathBuf::from(root).join(&name);
        if is_executable(&binary) {
            return Ok(binary);
        }
    }
    find_command(&name).ok_or(Unavailable::NoUserBinary { name })
}

fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        _ => status.to_string(),
    }
}
