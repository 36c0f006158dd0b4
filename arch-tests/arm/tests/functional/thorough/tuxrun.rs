//! Port of QEMU's tests/functional/arm/test_tuxrun.py: TuxBoot's armv5 (versatilepb), armv7 and armv7be (virt) kernels boot their rootfs to a root shell, which halts.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static ARMV5_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/armv5/zImage",
    "c95af2f27647c12265d75e9df44c22ff5228c59855f54aaa70f41ec2842e3a4d",
);
#[asset]
static ARMV5_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/armv5/rootfs.ext4.zst",
    "17177afa74e7294da0642861f08c88ca3c836764299a54bf6d1ce276cb9712a5",
);
#[asset]
static ARMV5_DTB: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/armv5/versatile-pb.dtb",
    "0bc0c0b0858cefd3c32b385c0d66d97142ded29472a496f4f490e42fc7615b25",
);

#[qemu_test]
fn armv5(mut vm: Machine) -> TestResult {
    vm.set_machine("versatilepb")?.args(["-cpu", "arm926"]);
    TuxRun {
        console: "ttyAMA0",
        wait_for_shutdown: false,
        dtb: Some(&ARMV5_DTB),
        drive: "virtio-blk-pci",
        ..TuxRun::default()
    }
    .common_tuxrun(&mut vm, &ARMV5_KERNEL, &ARMV5_ROOTFS)
}

#[asset]
static ARMV7_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/armv7/zImage",
    "4c7a22e9f15875bec06bd2a29d822496571eb297d4f22694099ffcdb19077572",
);
#[asset]
static ARMV7_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/armv7/rootfs.ext4.zst",
    "ab1fbbeaddda1ffdd45c9405a28cd5370c20f23a7cbc809cc90dc9f243a8eb5a",
);

#[qemu_test]
fn armv7(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?.args(["-cpu", "cortex-a15"]);
    TuxRun {
        console: "ttyAMA0",
        wait_for_shutdown: false,
        ..TuxRun::default()
    }
    .common_tuxrun(&mut vm, &ARMV7_KERNEL, &ARMV7_ROOTFS)
}

#[asset]
static ARMV7BE_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/armv7be/zImage",
    "7facc62082b57af12015b08f7fdbaf2f123ba07a478367853ae12b219afc9f2f",
);
#[asset]
static ARMV7BE_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/armv7be/rootfs.ext4.zst",
    "42ed46dd2d59986206c5b1f6cf35eab58fe3fd20c96b41aaa16b32f3f90a9835",
);

#[qemu_test]
fn armv7be(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?.args(["-cpu", "cortex-a15"]);
    TuxRun {
        console: "ttyAMA0",
        wait_for_shutdown: false,
        ..TuxRun::default()
    }
    .common_tuxrun(&mut vm, &ARMV7BE_KERNEL, &ARMV7BE_ROOTFS)
}
