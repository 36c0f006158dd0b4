//! Port of QEMU's tests/functional/mips64/test_tuxrun.py: TuxBoot's mips64 kernel boots its rootfs from IDE on malta to a root shell, which halts.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static MIPS64_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/mips64/vmlinux",
    "09010e51e4b8bcbbd2494786ffb48eca78f228e96e5c5438344b0eac4029dc61",
);
#[asset]
static MIPS64_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/mips64/rootfs.ext4.zst",
    "69d91eeb04df3d8d172922c6993bb37d4deeb6496def75d8580f6f9de3e431da",
);

#[qemu_test]
fn mips64(mut vm: Machine) -> TestResult {
    vm.set_machine("malta")?;
    TuxRun::MALTA_IDE.common_tuxrun(&mut vm, &MIPS64_KERNEL, &MIPS64_ROOTFS)
}
