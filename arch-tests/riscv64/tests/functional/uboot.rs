//! U-Boot in S-mode from Debian's u-boot-qemu, started by OpenSBI on the
//! virt board: stops at its prompt and answers `version`.

use qemu_fixtures::prelude::*;

/// Debian's OpenSBI that jumps to the next stage at a fixed address.
static FW_JUMP: Installed = Installed::new(
    "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin",
    "opensbi",
);

static UBOOT_SMODE: Installed = Installed::new(
    "/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf",
    "u-boot-qemu",
);

#[qemu_test]
fn answers_version_after_opensbi(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    let bios = vm.env().installed(&FW_JUMP)?;
    let kernel = vm.env().installed(&UBOOT_SMODE)?;
    vm.args(["-nic", "none", "-bios"])
        .arg(&bios)
        .arg("-kernel")
        .arg(&kernel)
        .launch()?;
    vm.console()
        .wait_for("Domain0 Next Mode         : S-mode")?;
    uboot::answers_version(vm.console())
}
