//! Port of QEMU's tests/functional/arm/test_bpim2u.py: an Armbian kernel on bpim2u (Banana Pi M2 Ultra) boots, from initrd, from SD with the GMAC on usernet, and OpenWrt through U-Boot.

use qemu_fixtures::prelude::*;

#[asset]
static DEB: Asset = Asset::new(
    "https://apt.armbian.com/pool/main/l/linux-6.6.16/linux-image-current-sunxi_24.2.1_armhf__6.6.16-Seb3e-D6b4a-P2359-Ce96bHfe66-HK01ba-V014b-B067e-R448a.deb",
    "3d968c15b121ede871dce49d13ee7644d6f74b6b121b84c9a40f51b0c80d6d22",
);

#[asset]
static INITRD: Asset = Asset::new(
    "https://github.com/groeck/linux-build-test/raw/2eb0a73b5d5a28df3170c546ddaaa9757e1e0848/rootfs/arm/rootfs-armv7a.cpio.gz",
    "2c8dbdb16ea7af2dfbcbea96044dde639fb07d09fd3c4fb31f2027ef71e55ddd",
);

#[asset]
static ROOTFS: Asset = Asset::new(
    "http://storage.kernelci.org/images/rootfs/buildroot/buildroot-baseline/20230703.0/armel/rootfs.ext2.xz",
    "42b44a12965ac0afe9a88378527fb698a7dc76af50495efc2361ee1595b4e5c6",
);

#[asset]
static SD_IMAGE: Asset = Asset::new(
    "https://downloads.openwrt.org/releases/22.03.3/targets/sunxi/cortexa7/openwrt-22.03.3-sunxi-cortexa7-sinovoip_bananapi-m2-ultra-ext4-sdcard.img.gz",
    "5b41b4e11423e562c6011640f9a7cd3bdd0a3d42b83430f7caa70a432e6cd82c",
);

const KERNEL: &str = "boot/vmlinuz-6.6.16-current-sunxi";
const DTB: &str = "usr/lib/linux-image-6.6.16-current-sunxi/sun8i-r40-bananapi-m2-ultra.dtb";

#[qemu_test]
fn arm_bpim2u(mut vm: Machine) -> TestResult {
    vm.set_machine("bpim2u")?;
    let kernel = vm.env().archive_extract(&DEB, KERNEL)?;
    let dtb = vm.env().archive_extract(&DEB, DTB)?;
    let kernel_command_line = format!(
        "{}console=ttyS0,115200n8 earlycon=uart,mmio32,0x1c28000",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    linux::boot_dtb_to_command_line(&mut vm, &kernel, Some(&dtb), &kernel_command_line)?;
    Ok(())
}

#[qemu_test]
fn arm_bpim2u_initrd(mut vm: Machine) -> TestResult {
    vm.set_machine("bpim2u")?;
    let kernel = vm.env().archive_extract(&DEB, KERNEL)?;
    let dtb = vm.env().archive_extract(&DEB, DTB)?;
    let initrd = vm.env().uncompress(&INITRD)?;
    let kernel_command_line = format!(
        "{}console=ttyS0,115200 panic=-1 noreboot",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    vm.args(["-append", &kernel_command_line, "-no-reboot"]);
    vm.launch_kernel(&kernel, Some(&initrd), Some(&dtb), 0, None)?;
    linux::wait_for_console_pattern(&mut vm, "Boot successful.")?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern(
        "cat /proc/cpuinfo",
        "Allwinner sun8i Family",
        None,
    )?;
    console.exec_command_and_wait_for_pattern("cat /proc/iomem", "system-control@1c00000", None)?;
    console.exec_command_and_wait_for_pattern("reboot", "reboot: Restarting system", None)?;
    // Wait for VM to shut down gracefully
    vm.wait_exit()?;
    Ok(())
}

#[qemu_test]
fn arm_bpim2u_gmac(mut vm: Machine) -> TestResult {
    vm.set_machine("bpim2u")?;
    vm.require_netdev("user")?;
    vm.env().fetch(&DEB)?;
    let kernel = vm.env().archive_extract(&DEB, KERNEL)?;
    let dtb = vm.env().archive_extract(&DEB, DTB)?;
    let rootfs = vm.env().uncompress(&ROOTFS)?;
    let rootfs = linux::image_pow2ceil_expand(vm.env(), &rootfs)?;
    vm.set_console();
    let kernel_command_line = format!(
        "{}console=ttyS0,115200 root=b300 rootwait rw panic=-1 noreboot",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    vm.arg("-kernel").arg(&kernel).arg("-dtb").arg(&dtb);
    vm.arg("-drive")
        .arg(format!("file={},if=sd,format=raw", rootfs.display()));
    vm.args(["-net", "nic,model=gmac,netdev=host_gmac"]);
    vm.args(["-netdev", "user,id=host_gmac"]);
    vm.args(["-append", &kernel_command_line, "-no-reboot"]);
    vm.launch()?;
    let shell_ready = "/bin/sh: can't access tty; job control turned off";
    linux::wait_for_console_pattern(&mut vm, shell_ready)?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern(
        "cat /proc/cpuinfo",
        "Allwinner sun8i Family",
        None,
    )?;
    console.exec_command_and_wait_for_pattern("cat /proc/partitions", "mmcblk", None)?;
    console.exec_command_and_wait_for_pattern("ifconfig eth0 up", "eth0: Link is Up", None)?;
    console.exec_command_and_wait_for_pattern(
        "udhcpc eth0",
        "udhcpc: lease of 10.0.2.15 obtained",
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        "ping -c 3 10.0.2.2",
        "3 packets transmitted, 3 packets received, 0% packet loss",
        None,
    )?;
    console.exec_command_and_wait_for_pattern("reboot", "reboot: Restarting system", None)?;
    // Wait for VM to shut down gracefully
    vm.wait_exit()?;
    Ok(())
}

#[qemu_test]
fn arm_bpim2u_openwrt_22_03_3(mut vm: Machine) -> TestResult {
    skip::big_data()?;
    vm.set_machine("bpim2u")?;
    vm.require_netdev("user")?;
    // This test download a 8.9 MiB compressed image and expand it
    // to 127 MiB.
    let image = vm.env().uncompress(&SD_IMAGE)?;
    let image = linux::image_pow2ceil_expand(vm.env(), &image)?;
    vm.set_console();
    vm.arg("-drive")
        .arg(format!("file={},if=sd,format=raw", image.display()));
    vm.args(["-nic", "user", "-no-reboot"]);
    vm.launch()?;
    let kernel_command_line = format!(
        "{}usbcore.nousb noreboot",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    linux::wait_for_console_pattern(&mut vm, "U-Boot SPL")?;
    let console = vm.console();
    console.interrupt_interactive_console_until_pattern(
        "Hit any key to stop autoboot:",
        Some("=>"),
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        &format!("setenv extraargs '{kernel_command_line}'"),
        "=>",
        None,
    )?;
    console.exec_command_and_wait_for_pattern("boot", "Starting kernel ...", None)?;
    linux::wait_for_console_pattern(&mut vm, "Please press Enter to activate this console.")?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern(" ", "root@", None)?;
    console.exec_command_and_wait_for_pattern(
        "cat /proc/cpuinfo",
        "Allwinner sun8i Family",
        None,
    )?;
    console.exec_command_and_wait_for_pattern("cat /proc/iomem", "system-control@1c00000", None)?;
    Ok(())
}
