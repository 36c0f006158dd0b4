//! Port of QEMU's tests/functional/riscv64/test_tt_atlantis.py: a kernel boots on the Tenstorrent Atlantis to the kernel's complaint that it has no root device (the machine has no PCI host for a disk yet).

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/kernels/6.11.9/riscv64/Image",
    "174f8bb87f08961e54fa3fcd954a8e31f4645f6d6af4dd43983d5e9841490fb0",
);

#[asset]
static ROOTFS: Asset = Asset::new(
    "https://github.com/groeck/linux-build-test/raw/9819da19e6eef291686fdd7b029ea00e764dc62f/rootfs/riscv64/rootfs.ext2.gz",
    "b6ed95610310b7956f9bf20c4c9c0c05fea647900df441da9dfe767d24e8b28b",
);

/// Upstream's `do_test_riscv64_tt_atlantis`.
fn do_test_riscv64_tt_atlantis(mut vm: Machine, connect_disk: bool) -> TestResult {
    vm.set_machine("tt-atlantis")?;
    let kernel_path = vm.env().fetch(&KERNEL)?;
    // Python's uncompress() writes to scratch; ours is a shared read-only
    // file, and the disk is opened read-write.
    let rootfs_path = vm.env().writable_copy(&vm.env().uncompress(&ROOTFS)?)?;
    vm.set_console();
    let mut kernel_command_line = format!("{}earlycon=sbi ", linux::KERNEL_COMMON_COMMAND_LINE);
    let pattern = if connect_disk {
        kernel_command_line += "root=/dev/vda panic=-1 noreboot rootwait ";
        vm.args([
            "-device",
            "virtio-blk,drive=drive0,serial=0x1234,bus=pcie.0",
        ]);
        vm.args([
            "-drive",
            &format!(
                "file={},if=none,id=drive0,format=raw",
                rootfs_path.display()
            ),
        ]);
        "Boot successful."
    } else {
        kernel_command_line += "panic=0 noreboot ";
        "Cannot open root device"
    };
    vm.arg("-kernel")
        .arg(&kernel_path)
        .args(["-append", &kernel_command_line, "-no-reboot"]);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, pattern)?;
    Ok(())
}

#[qemu_test]
fn riscv64_tt_atlantis(vm: Machine) -> TestResult {
    // tt-atlantis has no PCI host yet, so no disk
    do_test_riscv64_tt_atlantis(vm, false)
}
