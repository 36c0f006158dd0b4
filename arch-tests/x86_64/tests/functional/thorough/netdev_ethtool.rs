//! Port of QEMU's tests/functional/x86_64/test_netdev_ethtool.py: ethtool's offline self-test, run as init, passes on the emulated igb (e1000 and i82550 are skipped upstream).

use qemu_fixtures::prelude::*;

#[asset]
static BZIMAGE: Asset = Asset::new(
    "https://fileserver.linaro.org/s/kE4nCFLdQcoBF9t/download?path=%2Fnetdev-ethtool&files=bzImage",
    "ed62ee06ea620b1035747f3f66a5e9fc5d3096b29f75562ada888b04cd1c4baf",
);
#[asset]
static ROOTFS: Asset = Asset::new(
    "https://fileserver.linaro.org/s/kE4nCFLdQcoBF9t/download?path=%2Fnetdev-ethtool&files=rootfs.squashfs",
    "8f0207e3c4d40832ae73c1a927e42ca30ccb1e71f047acb6ddb161ba422934e6",
);

/// Upstream's `common_test_code`: boots the kernel with `netdev` and
/// `ethtool -t eth1 offline` as init.
fn common_test_code(vm: &mut Machine, netdev: &str, extra_args: Option<&str>) -> TestResult {
    vm.set_machine("q35")?;
    // This custom kernel has drivers for all the supported network
    // devices we can emulate in QEMU
    let kernel = vm.env().fetch(&BZIMAGE)?;
    let rootfs = vm.env().fetch(&ROOTFS)?;
    let mut append = String::from("printk.time=0 console=ttyS0 ");
    append += "root=/dev/sr0 rootfstype=squashfs ";
    // any additional kernel tweaks for the test
    append += extra_args.unwrap_or_default();
    // finally invoke ethtool directly
    append += " init=/usr/sbin/ethtool -- -t eth1 offline";
    // add the rootfs via a readonly cdrom image
    let drive = format!("file={},if=ide,index=0,media=cdrom", rootfs.display());
    vm.arg("-kernel").arg(&kernel);
    vm.args(["-append", &append, "-drive", &drive, "-device", netdev]);
    vm.set_console_index(0);
    vm.launch()?;
    vm.console()
        .wait_for_console_pattern("The test result is PASS", Some("The test result is FAIL"))?;
    // no need to gracefully shutdown, just finish
    vm.kill();
    Ok(())
}

#[qemu_test]
fn igb(mut vm: Machine) -> TestResult {
    common_test_code(&mut vm, "igb", None)
}

#[qemu_test]
fn igb_nomsi(mut vm: Machine) -> TestResult {
    common_test_code(&mut vm, "igb", Some("pci=nomsi"))
}

// It seems the other popular cards we model in QEMU currently fail
// the pattern test with:
//
//   pattern test failed (reg 0x00178): got 0x00000000 expected 0x00005A5A
//
// So for now we skip them.

#[qemu_test]
fn e1000(mut vm: Machine) -> TestResult {
    skip::always("Incomplete reg 0x00178 support")?;
    common_test_code(&mut vm, "e1000", None)
}

#[qemu_test]
fn i82550(mut vm: Machine) -> TestResult {
    skip::always("Incomplete reg 0x00178 support")?;
    common_test_code(&mut vm, "i82550", None)
}
