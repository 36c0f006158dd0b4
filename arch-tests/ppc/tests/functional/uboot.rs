//! U-Boot from Debian's u-boot-qemu on the ppce500 board stops at its
//! prompt and answers `version` (the ELF image: the .bin does not load).

use qemu_fixtures::prelude::*;

static UBOOT: Installed = Installed::new("/usr/lib/u-boot/qemu-ppce500/uboot.elf", "u-boot-qemu");

#[qemu_test]
fn answers_version_at_its_prompt(mut vm: Machine) -> TestResult {
    vm.set_machine("ppce500")?;
    let bios = vm.env().installed(&UBOOT)?;
    vm.args(["-nic", "none", "-bios"]).arg(&bios).launch()?;
    uboot::answers_version(vm.console())
}
