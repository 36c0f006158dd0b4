//! Port of QEMU's tests/functional/mips/test_tuxrun.py: TuxBoot's mips32 kernel boots its rootfs from IDE on malta (mips32r6-generic) to a root shell, which halts.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static MIPS_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/mips32/vmlinux",
    "bfd2172f8b17fb32970ca0c8c58f59c5a4ca38aa5855d920be3a69b5d16e52f0",
);
#[asset]
static MIPS_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/mips32/rootfs.ext4.zst",
    "fc3da0b4c2f38d74c6d705123bb0f633c76ed953128f9d0859378c328a6d11a0",
);

#[qemu_test]
fn mips32(mut vm: Machine) -> TestResult {
    vm.set_machine("malta")?.args(["-cpu", "mips32r6-generic"]);
    TuxRun::MALTA_IDE.common_tuxrun(&mut vm, &MIPS_KERNEL, &MIPS_ROOTFS)
}
