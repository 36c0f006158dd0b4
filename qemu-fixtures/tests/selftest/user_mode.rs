//! `vm::user`, upstream's `QemuUserTest`: a binary of the target runs under
//! `qemu-<arch>` and the test reads what it printed and how it exited.

use std::path::Path;

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::Unavailable;
use qemu_fixtures::vm::user::user_binary;

/// Debian's busybox-static, a static x86_64 binary, as the guest program.
const BUSYBOX: &str = "/bin/busybox";

fn busybox() -> Result<&'static Path, Skip> {
    let path = Path::new(BUSYBOX);
    if path.exists() {
        Ok(path)
    } else {
        Err(Skip::new(
            "no /bin/busybox: install Debian's busybox-static",
        ))
    }
}

/// What the program prints reaches the test, and the run is in base.log.
#[qemu_test]
fn busybox_prints_under_qemu_x86_64(env: std::sync::Arc<TestEnv>) -> TestResult {
    let user = User::new(&*env)?;
    let output = user.run_cmd(busybox()?, &["echo", "hello from user mode"])?;
    ensure!(output.status.success(), "busybox echo: {output:?}");
    ensure!(
        output.stdout == "hello from user mode\n",
        "stdout was {:?}",
        output.stdout
    );
    let log = std::fs::read_to_string(env.log_dir().join("base.log"))
        .map_err(|err| TestError::io("reading base.log", err))?;
    ensure!(
        log.contains("user: running") && log.contains("hello from user mode"),
        "base.log does not show the run:\n{log}"
    );
    Ok(())
}

/// A program that fails returns its status and stderr, not an error: the
/// test decides what a failure means, as with Python's `run_cmd`.
#[qemu_test]
fn a_failing_program_returns_its_status_and_stderr(env: std::sync::Arc<TestEnv>) -> TestResult {
    let user = User::new(&*env)?;
    let output = user.run_cmd(busybox()?, &["ls", "/no/such/dir"])?;
    ensure!(
        output.status.code() == Some(1),
        "busybox ls of a missing dir: {output:?}"
    );
    ensure!(
        output.stderr.contains("/no/such/dir"),
        "stderr was {:?}",
        output.stderr
    );
    Ok(())
}

/// A target with no user-mode QEMU is a skip that names Debian's package.
#[qemu_test]
fn a_missing_user_qemu_skips_naming_qemu_user() -> TestResult {
    if std::env::var_os("QEMU_TEST_QEMU_USER_BINARY").is_some() {
        return Err(Skip::new("QEMU_TEST_QEMU_USER_BINARY is set").into());
    }
    match user_binary("no-such-target") {
        Err(err @ Unavailable::NoUserBinary { .. }) => {
            let reason = err.to_string();
            ensure!(
                reason.contains("qemu-no-such-target") && reason.contains("qemu-user"),
                "reason was {reason:?}"
            );
            ensure!(!err.is_configuration_error(), "{reason} is not a skip");
            Ok(())
        }
        other => Err(TestError::check(format!(
            "expected no qemu-no-such-target, got {other:?}"
        ))),
    }
}
