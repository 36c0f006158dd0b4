//! Port of QEMU's tests/functional/mipsel/test_tuxrun.py: TuxBoot's mips32el kernel boots its rootfs from IDE on malta (mips32r6-generic) to a root shell, which halts.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static MIPSEL_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/mips32el/vmlinux",
    "8573867c68a8443db8de6d08bb33fb291c189ca2ca671471d3973a3e712096a3",
);
#[asset]
static MIPSEL_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/mips32el/rootfs.ext4.zst",
    "e799768e289fd69209c21f4dacffa11baea7543d5db101e8ce27e3bc2c41d90e",
);

#[qemu_test]
fn mips32el(mut vm: Machine) -> TestResult {
    vm.set_machine("malta")?.args(["-cpu", "mips32r6-generic"]);
    TuxRun::MALTA_IDE.common_tuxrun(&mut vm, &MIPSEL_KERNEL, &MIPSEL_ROOTFS)
}
