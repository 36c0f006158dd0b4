//! Port of QEMU's tests/functional/aarch64/test_virt_aarch64_off.py: an AArch32 kernel boots on a TCG max-v8 CPU with aarch64=off.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/29/Everything/armhfp/os/images/pxeboot/vmlinuz",
    "18dd5f1a9a28bd539f9d047f7c0677211bae528e8712b40ca5a229a4ad8e2591",
);

#[qemu_test]
fn arm_virt(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    // KVM aarch64=off requires a host CPU that supports it, so restrict
    // the test to TCG ARMv8.
    vm.require_accelerator("tcg")?;
    vm.args(["-cpu", "max-v8,aarch64=off"]);
    let kernel = vm.env().fetch(&KERNEL)?;
    let kernel_command_line = format!("{}console=ttyAMA0", linux::KERNEL_COMMON_COMMAND_LINE);
    linux::boot_to_command_line(&mut vm, &kernel, &kernel_command_line)?;
    Ok(())
}
