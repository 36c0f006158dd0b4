//! Port of QEMU's tests/functional/arm/test_sx1.py: a kernel on sx1 boots from initrd, SD card or flash into a userspace that reboots at once.

use qemu_fixtures::prelude::*;

#[asset]
static ZIMAGE: Asset = Asset::new(
    "https://github.com/groeck/linux-test-downloads/raw/225223f2ad7d637b34426810bf6c3b727b76a718/sx1/zImage",
    "a0271899a8dc2165f9e0adb2d0a57fc839ae3a469722ffc56c77e108a8887615",
);

#[asset]
static INITRD: Asset = Asset::new(
    "https://github.com/groeck/linux-test-downloads/raw/225223f2ad7d637b34426810bf6c3b727b76a718/sx1/rootfs-armv4.cpio",
    "35b0721249821aa544cd85b85d3cb8901db4c6d128eed86ab261e5d9e37d58f8",
);

#[asset]
static SD_FS: Asset = Asset::new(
    "https://github.com/groeck/linux-test-downloads/raw/225223f2ad7d637b34426810bf6c3b727b76a718/sx1/rootfs-armv4.ext2",
    "c1db7f43ef92469ebc8605013728c8950e7608439f01d13678994f0ce101c3a8",
);

#[asset]
static FLASH: Asset = Asset::new(
    "https://github.com/groeck/linux-test-downloads/raw/225223f2ad7d637b34426810bf6c3b727b76a718/sx1/flash",
    "17e6a2758fa38efd2666be0879d4751fd37d194f25168a8deede420df519b676",
);

const CONSOLE_ARGS: &str = "console=ttyS0,115200 earlycon=uart8250,mmio32,0xfffb0000,115200n8";

#[qemu_test]
fn arm_sx1_initrd(mut vm: Machine) -> TestResult {
    vm.set_machine("sx1")?;
    let zimage = vm.env().fetch(&ZIMAGE)?;
    let initrd = vm.env().fetch(&INITRD)?;
    vm.args([
        "-append",
        &format!("kunit.enable=0 rdinit=/sbin/init {CONSOLE_ARGS}"),
    ]);
    vm.arg("-no-reboot");
    vm.launch_kernel(&zimage, Some(&initrd), None, 0, None)?;
    vm.wait_exit()?;
    Ok(())
}

#[qemu_test]
fn arm_sx1_sd(mut vm: Machine) -> TestResult {
    vm.set_machine("sx1")?;
    let zimage = vm.env().fetch(&ZIMAGE)?;
    let sd_fs = vm.env().fetch(&SD_FS)?;
    vm.args([
        "-append",
        &format!("kunit.enable=0 root=/dev/mmcblk0 rootwait {CONSOLE_ARGS}"),
    ]);
    vm.arg("-no-reboot");
    vm.arg("-snapshot");
    vm.arg("-drive")
        .arg(format!("format=raw,if=sd,file={}", sd_fs.display()));
    vm.launch_kernel(&zimage, None, None, 0, None)?;
    vm.wait_exit()?;
    Ok(())
}

#[qemu_test]
fn arm_sx1_flash(mut vm: Machine) -> TestResult {
    vm.set_machine("sx1")?;
    let zimage = vm.env().fetch(&ZIMAGE)?;
    let flash = vm.env().fetch(&FLASH)?;
    vm.args([
        "-append",
        &format!("kunit.enable=0 root=/dev/mtdblock3 rootwait {CONSOLE_ARGS}"),
    ]);
    vm.arg("-no-reboot");
    vm.arg("-snapshot");
    vm.arg("-drive")
        .arg(format!("format=raw,if=pflash,file={}", flash.display()));
    vm.launch_kernel(&zimage, None, None, 0, None)?;
    vm.wait_exit()?;
    Ok(())
}
