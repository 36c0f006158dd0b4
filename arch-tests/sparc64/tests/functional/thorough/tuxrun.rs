//! Port of QEMU's tests/functional/sparc64/test_tuxrun.py: TuxBoot's sparc64 kernel boots its rootfs from IDE on sun4u to a root shell, which halts.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static SPARC64_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/sparc64/vmlinux",
    "a04cfb2e70a264051d161fdd93aabf4b2a9472f2e435c14ed18c5848c5fed261",
);
#[asset]
static SPARC64_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/sparc64/rootfs.ext4.zst",
    "479c3dc104c82b68be55e2c0c5c38cd473d0b37ad4badccde4775bb88ce34611",
);

#[qemu_test]
fn sparc64(mut vm: Machine) -> TestResult {
    vm.set_machine("sun4u")?;
    TuxRun {
        root: "sda",
        wait_for_shutdown: false,
        drive: "driver=ide-hd,bus=ide.0,unit=0",
        ..TuxRun::default()
    }
    .common_tuxrun(&mut vm, &SPARC64_KERNEL, &SPARC64_ROOTFS)
}
