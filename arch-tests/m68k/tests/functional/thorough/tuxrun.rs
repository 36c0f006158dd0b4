//! Port of QEMU's tests/functional/m68k/test_tuxrun.py: TuxBoot's m68k kernel boots its rootfs on virt (m68040) to a root shell; halting it ends QEMU.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static M68K_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/m68k/vmlinux",
    "7754e1d5cec753ccf1dc6894729a7f54c1a4965631ebf56df8e4ce1163ad19d8",
);
#[asset]
static M68K_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/m68k/rootfs.ext4.zst",
    "557962ffff265607912e82232cf21adbe0e4e5a88e1e1d411ce848c37f0213e9",
);

#[qemu_test]
fn m68k(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?.args(["-cpu", "m68040"]);
    TuxRun {
        drive: "virtio-blk-device",
        ..TuxRun::default()
    }
    .common_tuxrun(&mut vm, &M68K_KERNEL, &M68K_ROOTFS)
}
