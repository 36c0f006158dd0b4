//! U-Boot from Debian's u-boot-qemu on the virt board: stops at its prompt
//! and answers `version`.

use qemu_fixtures::prelude::*;

static UBOOT: Installed = Installed::new("/usr/lib/u-boot/qemu_arm/u-boot.bin", "u-boot-qemu");

#[qemu_test]
fn answers_version_at_its_prompt(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    let bios = vm.env().installed(&UBOOT)?;
    vm.args(["-nic", "none", "-bios"]).arg(&bios).launch()?;
    uboot::answers_version(vm.console())
}
