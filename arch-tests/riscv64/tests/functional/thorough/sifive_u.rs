//! Port of QEMU's tests/functional/riscv64/test_sifive_u.py: a kernel boots on sifive_u to a root on the MMC-over-SPI card, or without a card to the kernel's complaint that it has no root device.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/riscv64/Image",
    "2bd8132a3bf21570290042324fff48c987f42f2a00c08de979f43f0662ebadba",
);

#[asset]
static ROOTFS: Asset = Asset::new(
    "https://github.com/groeck/linux-build-test/raw/9819da19e6eef291686fdd7b029ea00e764dc62f/rootfs/riscv64/rootfs.ext2.gz",
    "b6ed95610310b7956f9bf20c4c9c0c05fea647900df441da9dfe767d24e8b28b",
);

/// Upstream's `do_test_riscv64_sifive_u_mmc_spi`.
fn do_test_riscv64_sifive_u_mmc_spi(mut vm: Machine, connect_card: bool) -> TestResult {
    vm.set_machine("sifive_u")?;
    let kernel_path = vm.env().fetch(&KERNEL)?;
    // Python's uncompress() writes to scratch; ours is a shared read-only
    // file, and the card is opened read-write.
    let rootfs_path = vm.env().writable_copy(&vm.env().uncompress(&ROOTFS)?)?;
    vm.set_console();
    let mut kernel_command_line = format!(
        "{}earlycon=sbi console=ttySIF0 root=/dev/mmcblk0 ",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    let pattern = if connect_card {
        kernel_command_line += "panic=-1 noreboot rootwait ";
        vm.args([
            "-drive",
            &format!("file={},if=sd,format=raw", rootfs_path.display()),
        ]);
        "Boot successful."
    } else {
        kernel_command_line += "panic=0 noreboot ";
        "Cannot open root device \"mmcblk0\" or unknown-block(0,0)"
    };
    vm.arg("-kernel")
        .arg(&kernel_path)
        .args(["-append", &kernel_command_line, "-no-reboot"]);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, pattern)?;
    Ok(())
}

#[qemu_test]
fn riscv64_sifive_u_nommc_spi(vm: Machine) -> TestResult {
    do_test_riscv64_sifive_u_mmc_spi(vm, false)
}

#[qemu_test]
fn riscv64_sifive_u_mmc_spi(vm: Machine) -> TestResult {
    do_test_riscv64_sifive_u_mmc_spi(vm, true)
}
