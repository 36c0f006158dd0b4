//! Port of QEMU's tests/functional/x86_64/test_vm_launch_update.py: one vm-launch-update device starts, a second one is refused.

use qemu_fixtures::harness::refusal;
use qemu_fixtures::prelude::*;

/// QEMU releases before the device (10.0 among them) skip: the original
/// runs only against the QEMU built beside it, which always has it.
#[qemu_test]
fn vm_launch_update(mut vm: Machine) -> TestResult {
    vm.require_device("vm-launch-update")?;
    // Basic test to make sure vm-launch-update device can be instantiated.
    // The original disables QMP and sleeps a second; `launch` with QMP
    // returns once QEMU's main loop answers, after the device was realized.
    vm.args(["-device", "vm-launch-update,id=fwupd1"])
        .launch()?;
    let exit = vm.shutdown()?;
    ensure!(
        exit.code() == Some(0),
        "QEMU exit code should be 0, not {exit}"
    );
    // Only one vm-launch-update device can be instantiated. The original
    // relaunches the same machine, whose arguments keep fwupd1.
    let mut vm = vm.sibling("multiple");
    vm.args(["-device", "vm-launch-update,id=fwupd1"]);
    vm.args([
        "-device",
        "vm-launch-update,id=fw1",
        "-device",
        "vm-launch-update,id=fw2",
    ]);
    refusal::launch_expecting_exit(
        &mut vm,
        1,
        "at most one vm-launch-update device is permitted",
    )
}
