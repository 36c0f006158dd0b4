//! Port of QEMU's tests/functional/s390x/test_tuxrun.py: TuxBoot's s390 kernel boots its rootfs from virtio-blk-ccw on s390-ccw-virtio to a root shell, which halts.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static S390X_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/s390/bzImage",
    "ee67e91db52a2aed104a7c72b2a08987c678f8179c029626789c35d6dd0fedf1",
);
#[asset]
static S390X_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/s390/rootfs.ext4.zst",
    "bff7971fc2fef56372d98afe4557b82fd0a785a241e44c29b058e577ad1bbb44",
);

#[qemu_test]
fn s390(mut vm: Machine) -> TestResult {
    vm.set_machine("s390-ccw-virtio")?;
    TuxRun {
        wait_for_shutdown: false,
        drive: "virtio-blk-ccw",
        haltmsg: "Requesting system halt",
        ..TuxRun::default()
    }
    .common_tuxrun(&mut vm, &S390X_KERNEL, &S390X_ROOTFS)
}
