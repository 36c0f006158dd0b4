//! Port of QEMU's tests/functional/i386/test_tuxrun.py: TuxBoot's i386 kernel boots its rootfs on q35 (coreduo) to a root shell, which halts.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static I386_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/i386/bzImage",
    "47fb44e38e34101eb0f71a2a01742b959d40ed5fd67cefb5608a39be11d3b74e",
);
#[asset]
static I386_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/i386/rootfs.ext4.zst",
    "a1a3b3b4c9dccd6475b58db95c107b468b736b700f6620985a8ed050a73d51c8",
);

#[qemu_test]
fn i386(mut vm: Machine) -> TestResult {
    vm.set_machine("q35")?.args(["-cpu", "coreduo"]);
    TuxRun {
        wait_for_shutdown: false,
        drive: "virtio-blk-pci",
        ..TuxRun::default()
    }
    .common_tuxrun(&mut vm, &I386_KERNEL, &I386_ROOTFS)
}
