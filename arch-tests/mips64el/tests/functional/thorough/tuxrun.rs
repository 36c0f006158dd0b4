//! Port of QEMU's tests/functional/mips64el/test_tuxrun.py: TuxBoot's mips64el kernel boots its rootfs from IDE on malta to a root shell, which halts.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static MIPS64EL_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/mips64el/vmlinux",
    "d4e08965e2155c4cccce7c5f34d18fe34c636cda2f2c9844387d614950155266",
);
#[asset]
static MIPS64EL_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/mips64el/rootfs.ext4.zst",
    "fba585368f5915b1498ed081863474b2d7ec4e97cdd46d21bdcb2f9698f83de4",
);

#[qemu_test]
fn mips64el(mut vm: Machine) -> TestResult {
    vm.set_machine("malta")?;
    TuxRun::MALTA_IDE.common_tuxrun(&mut vm, &MIPS64EL_KERNEL, &MIPS64EL_ROOTFS)
}
