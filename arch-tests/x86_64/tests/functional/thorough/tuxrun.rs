//! Port of QEMU's tests/functional/x86_64/test_tuxrun.py: TuxBoot's x86_64 kernel boots its rootfs from IDE on q35 (Nehalem) to a root shell, which halts.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static X86_64_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/x86_64/bzImage",
    "2bc7480a669ee9b6b82500a236aba0c54233debe98cb968268fa230f52f03461",
);
#[asset]
static X86_64_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/x86_64/rootfs.ext4.zst",
    "b72ac729769b8f51c6dffb221113c9a063c774dbe1d66af30eb593c4e9999b4b",
);

#[qemu_test]
fn x86_64(mut vm: Machine) -> TestResult {
    vm.set_machine("q35")?.args(["-cpu", "Nehalem"]);
    TuxRun {
        root: "sda",
        wait_for_shutdown: false,
        drive: "driver=ide-hd,bus=ide.0,unit=0",
        ..TuxRun::default()
    }
    .common_tuxrun(&mut vm, &X86_64_KERNEL, &X86_64_ROOTFS)
}
