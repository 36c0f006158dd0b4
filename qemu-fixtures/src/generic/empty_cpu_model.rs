//! Port of QEMU's tests/functional/generic/test_empty_cpu_model.py: `-cpu ''` is refused with QEMU's message.

use crate::ensure;
use crate::harness::{Machine, TestResult};

/// `-cpu ''` is refused with QEMU's message and exit code 1.
pub fn test(mut vm: Machine) -> TestResult {
    vm.disable_qmp().disable_console();
    vm.args(["-S", "-machine", "none", "-cpu", ""]).launch()?;
    let exit = vm.wait_exit()?;
    ensure!(exit.code() == Some(1), "QEMU {exit}; expected exit code 1");
    let output = vm.output();
    ensure!(
        output.contains("-cpu option cannot be empty"),
        "QEMU's output lacks \"-cpu option cannot be empty\": {output:?}"
    );
    Ok(())
}
