//! Port of QEMU's tests/functional/m68k/test_q800.py: Debian's installer kernel boots on the q800 with its command line, up to looking for a root filesystem.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://snapshot.debian.org/archive/debian-ports/20191021T083923Z/pool-m68k/main/l/linux/kernel-image-5.3.0-1-m68k-di_5.3.7-1_m68k.udeb",
    "949e50d74d4b9bc15d26c06d402717b7a4c0e32ff8100014f5930d8024de7b73",
);

#[qemu_test]
fn m68k_q800(mut vm: Machine) -> TestResult {
    vm.set_machine("q800")?;
    let kernel = linux::extract_from_deb(vm.env(), &KERNEL, "/boot/vmlinux-5.3.0-1-m68k")?;
    let kernel_command_line = format!("{}console=ttyS0 vga=off", linux::KERNEL_COMMON_COMMAND_LINE);
    linux::boot_to_command_line(&mut vm, &kernel, &kernel_command_line)?;
    linux::wait_for_console_pattern(&mut vm, "No filesystem could mount root")?;
    Ok(())
}
