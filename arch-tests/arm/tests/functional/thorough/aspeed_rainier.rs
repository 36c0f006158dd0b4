//! Port of QEMU's tests/functional/arm/test_aspeed_rainier.py: IBM Rainier boots OpenBMC from eMMC, and a Debian armmp kernel with the rainier device tree.

use qemu_fixtures::prelude::*;

#[asset]
static RAINIER_EMMC: Asset = Asset::new(
    "https://fileserver.linaro.org/s/B6pJTwWEkzSDi36/download/mmc-p10bmc-20240617.qcow2",
    "d523fb478d2b84d5adc5658d08502bc64b1486955683814f89c6137518acd90b",
);

#[qemu_test]
fn arm_aspeed_emmc_boot(mut vm: Machine) -> TestResult {
    vm.set_machine("rainier-bmc")?;
    vm.require_netdev("user")?;
    let image_path = vm.env().fetch(&RAINIER_EMMC)?;
    vm.set_console();
    vm.arg("-drive")
        .arg(format!(
            "file={},if=sd,id=sd2,index=2",
            image_path.display()
        ))
        .args(["-net", "nic", "-net", "user", "-snapshot"]);
    vm.launch()?;
    for pattern in [
        "U-Boot SPL 2019.04",
        "Trying to boot from MMC1",
        "U-Boot 2019.04",
        "eMMC 2nd Boot",
        "## Loading kernel from FIT Image",
        "Starting kernel ...",
        "Booting Linux on physical CPU 0xf00",
        "mmcblk0: p1 p2 p3 p4 p5 p6 p7",
        "IBM eBMC (OpenBMC for IBM Enterprise",
    ] {
        linux::wait_for_console_pattern(&mut vm, pattern)?;
    }
    Ok(())
}

#[asset]
static DEBIAN_LINUX_ARMHF_DEB: Asset = Asset::new(
    "http://snapshot.debian.org/archive/debian/20220606T211338Z/pool/main/l/linux/linux-image-5.17.0-2-armmp_5.17.6-1%2Bb1_armhf.deb",
    "8acb2b4439faedc2f3ed4bdb2847ad4f6e0491f73debaeb7f660c8abe4dcdc0e",
);

#[qemu_test]
fn arm_debian_kernel_boot(mut vm: Machine) -> TestResult {
    vm.set_machine("rainier-bmc")?;
    let kernel_path = vm
        .env()
        .archive_extract(&DEBIAN_LINUX_ARMHF_DEB, "boot/vmlinuz-5.17.0-2-armmp")?;
    let dtb_path = vm.env().archive_extract(
        &DEBIAN_LINUX_ARMHF_DEB,
        "usr/lib/linux-image-5.17.0-2-armmp/aspeed-bmc-ibm-rainier.dtb",
    )?;
    vm.set_console();
    vm.arg("-kernel").arg(&kernel_path);
    vm.arg("-dtb").arg(&dtb_path);
    vm.args(["-net", "nic"]);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Booting Linux on physical CPU 0xf00")?;
    linux::wait_for_console_pattern(&mut vm, "SMP: Total of 2 processors activated")?;
    linux::wait_for_console_pattern(&mut vm, "No filesystem could mount root")?;
    Ok(())
}
