//! U-Boot from Debian's u-boot-qemu on the Malta board reaches its prompt
//! and answers `version`. Malta byte-swaps each word of a little-endian
//! BIOS image (the YAMON convention), so the test hands it a swapped copy;
//! and this U-Boot needs 256 MiB.

use qemu_fixtures::prelude::*;

static UBOOT: Installed = Installed::new("/usr/lib/u-boot/maltael/u-boot.bin", "u-boot-qemu");

#[qemu_test]
fn answers_version_at_its_prompt(mut vm: Machine) -> TestResult {
    vm.set_machine("malta")?;
    let bios = vm.env().installed(&UBOOT)?;
    let swapped = qemu_fixtures::guests::word_swapped_copy(vm.env(), &bios)?;
    vm.args(["-m", "256", "-nic", "none", "-bios"])
        .arg(&swapped)
        .launch()?;
    uboot::answers_version_at(vm.console(), "maltael # ")
}
