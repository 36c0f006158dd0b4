//! Port of QEMU's tests/functional/m68k/test_replay.py: Linux on q800 and the advent calendar on mcf5208evb, recorded and replayed.

use qemu_fixtures::prelude::*;

#[asset]
static Q800: Asset = Asset::new(
    "https://snapshot.debian.org/archive/debian-ports/20191021T083923Z/pool-m68k/main/l/linux/kernel-image-5.3.0-1-m68k-di_5.3.7-1_m68k.udeb",
    "949e50d74d4b9bc15d26c06d402717b7a4c0e32ff8100014f5930d8024de7b73",
);

#[qemu_test]
fn q800(mut vm: Machine) -> TestResult {
    vm.set_machine("q800")?;
    let kernel_path = vm
        .env()
        .archive_extract(&Q800, "boot/vmlinux-5.3.0-1-m68k")?;
    let kernel_command_line = format!("{}console=ttyS0 vga=off", linux::KERNEL_COMMON_COMMAND_LINE);
    let console_pattern = "No filesystem could mount root";
    vm.run_rr_with(
        &kernel_path,
        &kernel_command_line,
        console_pattern,
        7,
        &[&"-audio", &"none"],
    )
}

#[asset]
static MCF5208: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day07.tar.xz",
    "753c2f3837126b7c6ba92d0b1e0b156e8a2c5131d2d576bb0b9a763fae73c08a",
);

#[qemu_test]
fn mcf5208evb(mut vm: Machine) -> TestResult {
    vm.set_machine("mcf5208evb")?;
    let kernel_path = vm
        .env()
        .archive_extract(&MCF5208, "day07/sanity-clause.elf")?;
    vm.run_rr(
        &kernel_path,
        linux::KERNEL_COMMON_COMMAND_LINE,
        "QEMU advent calendar",
    )
}
