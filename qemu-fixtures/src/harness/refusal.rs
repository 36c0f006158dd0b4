//! QEMU refusing its configuration: launched without QMP (there is no
//! main loop to answer it), it must exit by itself with a given code and
//! say why, as upstream's `vm.wait()` then `exitcode()`/`get_log()` checks.

use crate::ensure;
use crate::harness::{Machine, TestResult};

/// Launches `vm` without QMP, waits for QEMU to exit by itself, and
/// checks that it exited with `code` and that its output contains
/// `message`; either failure names what QEMU did instead.
pub fn launch_expecting_exit(vm: &mut Machine, code: i32, message: &str) -> TestResult {
    vm.disable_qmp().launch()?;
    let exit = vm.wait_exit()?;
    ensure!(
        exit.code() == Some(code),
        "QEMU exit code should be {code}, not {exit}"
    );
    let output = vm.output();
    ensure!(
        output.contains(message),
        "QEMU's output does not say {message:?}: {output:?}"
    );
    Ok(())
}
