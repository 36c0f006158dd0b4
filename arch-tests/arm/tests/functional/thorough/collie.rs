//! Port of QEMU's tests/functional/arm/test_collie.py: a Linux kernel with a cpio root boots on collie and reboots.

use qemu_fixtures::prelude::*;

#[asset]
static ZIMAGE: Asset = Asset::new(
    "https://github.com/groeck/linux-test-downloads/raw/225223f2ad7d637b34426810bf6c3b727b76a718/collie/zImage",
    "10ace8abf9e0875ef8a83b8829cc3b5b50bc6d7bc3ca29f19f49f5673a43c13b",
);

#[asset]
static ROOTFS: Asset = Asset::new(
    "https://github.com/groeck/linux-test-downloads/raw/225223f2ad7d637b34426810bf6c3b727b76a718/collie/rootfs-sa110.cpio",
    "89ccaaa5c6b33331887047e1618ffe81b0f55909173944347d5d2426f3bcc1f2",
);

#[qemu_test]
fn arm_collie(mut vm: Machine) -> TestResult {
    vm.set_machine("collie")?;
    let zimage = vm.env().fetch(&ZIMAGE)?;
    let rootfs = vm.env().fetch(&ROOTFS)?;
    vm.args(["-append", "rdinit=/sbin/init console=ttySA1"]);
    vm.launch_kernel(
        &zimage,
        Some(&rootfs),
        None,
        0,
        Some("reboot: Restarting system"),
    )?;
    Ok(())
}
