//! 32-bit U-Boot from Debian's u-boot-qemu as the pc machine's BIOS stops
//! at its prompt and answers `version`.

use qemu_fixtures::prelude::*;

static UBOOT_ROM: Installed = Installed::new("/usr/lib/u-boot/qemu-x86/u-boot.rom", "u-boot-qemu");

#[qemu_test]
fn answers_version_at_its_prompt(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    let bios = vm.env().installed(&UBOOT_ROM)?;
    vm.args(["-nic", "none", "-bios"]).arg(&bios).launch()?;
    uboot::answers_version(vm.console())
}
