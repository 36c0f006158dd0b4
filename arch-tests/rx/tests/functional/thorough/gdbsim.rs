//! Port of QEMU's tests/functional/rx/test_gdbsim.py: U-Boot, and a Linux kernel up to its sash shell, on the RX gdbsim boards.

use qemu_fixtures::prelude::*;

#[asset]
static UBOOT: Asset = Asset::new(
    "https://github.com/philmd/qemu-testing-blob/raw/rx-gdbsim/rx/gdbsim/u-boot.bin",
    "dd7dd4220cccf7aeb32227b26233bf39600db05c3f8e26005bcc2bf6c927207d",
);
#[asset]
static DTB: Asset = Asset::new(
    "https://github.com/philmd/qemu-testing-blob/raw/rx-gdbsim/rx/gdbsim/rx-gdbsim.dtb",
    "aa278d9c1907a4501741d7ee57e7f65c02dd1b3e0323b33c6d4247f1b32cf29a",
);
#[asset]
static KERNEL: Asset = Asset::new(
    "https://github.com/philmd/qemu-testing-blob/raw/rx-gdbsim/rx/gdbsim/zImage",
    "baa43205e74a7220ed8482188c5e9ce497226712abb7f4e7e4f825ce19ff9656",
);

/// U-Boot starts and its console is operational.
#[qemu_test]
fn uboot(mut vm: Machine) -> TestResult {
    vm.set_machine("gdbsim-r5f562n8")?;
    let uboot = vm.env().fetch(&UBOOT)?;
    vm.set_console();
    vm.arg("-bios").arg(&uboot).arg("-no-reboot");
    vm.launch()?;
    vm.console()
        .wait_for("U-Boot 2016.05-rc3-23705-ga1ef3c71cb-dirty")?;
    // Upstream stops here: typing `version` and waiting for
    // 'rx-unknown-linux-gcc (GCC) 9.0.0 20181105 (experimental)' is left
    // out until the chardev limits its baud rate, as we would type too
    // fast: https://gitlab.com/qemu-project/qemu/-/issues/2691
    Ok(())
}

/// A Linux kernel boots to its sash shell, which answers.
#[qemu_test]
fn linux_sash(mut vm: Machine) -> TestResult {
    skip::flaky("https://gitlab.com/qemu-project/qemu/-/issues/2691")?;
    vm.set_machine("gdbsim-r5f562n7")?;
    let dtb = vm.env().fetch(&DTB)?;
    let kernel = vm.env().fetch(&KERNEL)?;
    vm.set_console();
    // Upstream builds a command line `printk.time=0 earlycon` here but
    // never passes it: no -append, as there.
    vm.arg("-kernel")
        .arg(&kernel)
        .arg("-dtb")
        .arg(&dtb)
        .arg("-no-reboot");
    vm.launch()?;
    vm.console()
        .wait_for_console_pattern("Sash command shell (version 1.1.1)", Some(linux::PANIC))?;
    vm.console()
        .exec_command_and_wait_for_pattern("printenv", "TERM=linux", None)?;
    Ok(())
}
