//! Port of QEMU's tests/functional/ppc/test_tuxrun.py: TuxBoot's ppc32 kernel boots its rootfs on ppce500 (e500mc) to a root shell, which halts.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static PPC32_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/ppc32/uImage",
    "1a68f74b860fda022fb12e03c5efece8c2b8b590d96cca37a8481a3ae0b3f81f",
);
#[asset]
static PPC32_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/ppc32/rootfs.ext4.zst",
    "8885b9d999cc24d679542a02e9b6aaf48f718f2050ece6b8347074b6ee41dd09",
);

#[qemu_test]
fn ppc32(mut vm: Machine) -> TestResult {
    vm.set_machine("ppce500")?.args(["-cpu", "e500mc"]);
    TuxRun {
        wait_for_shutdown: false,
        drive: "virtio-blk-pci",
        ..TuxRun::default()
    }
    .common_tuxrun(&mut vm, &PPC32_KERNEL, &PPC32_ROOTFS)
}
