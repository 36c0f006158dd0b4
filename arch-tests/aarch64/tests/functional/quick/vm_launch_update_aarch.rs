//! Port of QEMU's tests/functional/aarch64/test_vm_launch_update_aarch.py: the virt machine refuses the vm-launch-update device.

use qemu_fixtures::harness::refusal;
use qemu_fixtures::prelude::*;

/// Currently the device is only supported for pc platforms. QEMU releases
/// before the device (10.0 among them) skip: the original runs only
/// against the QEMU built beside it, which always has it.
#[qemu_test]
fn vm_launch_update(mut vm: Machine) -> TestResult {
    vm.require_device("vm-launch-update")?;
    vm.args(["-machine", "virt", "-device", "vm-launch-update,id=fwupd1"]);
    refusal::launch_expecting_exit(
        &mut vm,
        1,
        "This machine does not support vm-launch-update device",
    )
}
