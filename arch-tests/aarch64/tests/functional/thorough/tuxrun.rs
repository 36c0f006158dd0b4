//! Port of QEMU's tests/functional/aarch64/test_tuxrun.py: TuxBoot's arm64 and arm64be kernels boot their rootfs on virt to a root shell, which halts.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static ARM64_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/arm64/Image",
    "ce95a7101a5fecebe0fe630deee6bd97b32ba41bc8754090e9ad8961ea8674c7",
);
#[asset]
static ARM64_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/arm64/rootfs.ext4.zst",
    "bbd5ed4b9c7d3f4ca19ba71a323a843c6b585e880115df3b7765769dbd9dd061",
);

#[qemu_test]
fn arm64(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?.args(["-cpu", "cortex-a57"]);
    TuxRun {
        console: "ttyAMA0",
        wait_for_shutdown: false,
        ..TuxRun::default()
    }
    .common_tuxrun(&mut vm, &ARM64_KERNEL, &ARM64_ROOTFS)
}

#[asset]
static ARM64BE_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/arm64be/Image",
    "e0df4425eb2cd9ea9a283e808037f805641c65d8fcecc8f6407d8f4f339561b4",
);
#[asset]
static ARM64BE_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/arm64be/rootfs.ext4.zst",
    "e6ffd8813c8a335bc15728f2835f90539c84be7f8f5f691a8b01451b47fb4bd7",
);

#[qemu_test]
fn arm64be(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?.args(["-cpu", "cortex-a57"]);
    TuxRun {
        console: "ttyAMA0",
        wait_for_shutdown: false,
        ..TuxRun::default()
    }
    .common_tuxrun(&mut vm, &ARM64BE_KERNEL, &ARM64BE_ROOTFS)
}
