//! Port of QEMU's tests/functional/arm/test_cubieboard.py: an Armbian kernel on cubieboard boots from initrd and SATA, and OpenWrt boots from SD through U-Boot.

use qemu_fixtures::prelude::*;

#[asset]
static DEB: Asset = Asset::new(
    "https://apt.armbian.com/pool/main/l/linux-6.6.16/linux-image-current-sunxi_24.2.1_armhf__6.6.16-Seb3e-D6b4a-P2359-Ce96bHfe66-HK01ba-V014b-B067e-R448a.deb",
    "3d968c15b121ede871dce49d13ee7644d6f74b6b121b84c9a40f51b0c80d6d22",
);

#[asset]
static INITRD: Asset = Asset::new(
    "https://github.com/groeck/linux-build-test/raw/2eb0a73b5d5a28df3170c546ddaaa9757e1e0848/rootfs/arm/rootfs-armv5.cpio.gz",
    "334b8d256db67a3f2b3ad070aa08b5ade39624e0e7e35b02f4359a577bc8f39b",
);

#[asset]
static SATA_ROOTFS: Asset = Asset::new(
    "https://github.com/groeck/linux-build-test/raw/2eb0a73b5d5a28df3170c546ddaaa9757e1e0848/rootfs/arm/rootfs-armv5.ext2.gz",
    "17fc750da568580b39372133051ef2f0a963c0c0b369b845614442d025701745",
);

#[asset]
static OPENWRT: Asset = Asset::new(
    "https://downloads.openwrt.org/releases/22.03.2/targets/sunxi/cortexa8/openwrt-22.03.2-sunxi-cortexa8-cubietech_a10-cubieboard-ext4-sdcard.img.gz",
    "94b5ecbfbc0b3b56276e5146b899eafa2ac5dc2d08733d6705af9f144f39f554",
);

const DTB: &str = "usr/lib/linux-image-6.6.16-current-sunxi/sun4i-a10-cubieboard.dtb";

#[qemu_test]
fn arm_cubieboard_initrd(mut vm: Machine) -> TestResult {
    vm.set_machine("cubieboard")?;
    let kernel = vm
        .env()
        .archive_extract(&DEB, "boot/vmlinuz-6.6.16-current-sunxi")?;
    let dtb = vm.env().archive_extract(&DEB, DTB)?;
    let initrd = vm.env().uncompress(&INITRD)?;
    let kernel_command_line = format!(
        "{}console=ttyS0,115200 usbcore.nousb panic=-1 noreboot",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    vm.args(["-append", &kernel_command_line, "-no-reboot"]);
    vm.launch_kernel(&kernel, Some(&initrd), Some(&dtb), 0, None)?;
    linux::wait_for_console_pattern(&mut vm, "Boot successful.")?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern(
        "cat /proc/cpuinfo",
        "Allwinner sun4i/sun5i",
        None,
    )?;
    console.exec_command_and_wait_for_pattern("cat /proc/iomem", "system-control@1c00000", None)?;
    console.exec_command_and_wait_for_pattern("reboot", "reboot: Restarting system", None)?;
    // Wait for VM to shut down gracefully
    vm.wait_exit()?;
    Ok(())
}

#[qemu_test]
fn arm_cubieboard_sata(mut vm: Machine) -> TestResult {
    vm.set_machine("cubieboard")?;
    let kernel = vm
        .env()
        .archive_extract(&DEB, "boot/vmlinuz-6.6.16-current-sunxi")?;
    let dtb = vm.env().archive_extract(&DEB, DTB)?;
    let rootfs = vm.env().uncompress(&SATA_ROOTFS)?;
    vm.set_console();
    let kernel_command_line = format!(
        "{}console=ttyS0,115200 usbcore.nousb root=/dev/sda ro panic=-1 noreboot",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    vm.arg("-kernel").arg(&kernel).arg("-dtb").arg(&dtb);
    vm.arg("-drive").arg(format!(
        "if=none,format=raw,id=disk0,file={}",
        rootfs.display()
    ));
    vm.args(["-device", "ide-hd,bus=ide.0,drive=disk0"]);
    vm.args(["-append", &kernel_command_line, "-no-reboot"]);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Boot successful.")?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern(
        "cat /proc/cpuinfo",
        "Allwinner sun4i/sun5i",
        None,
    )?;
    console.exec_command_and_wait_for_pattern("cat /proc/partitions", "sda", None)?;
    console.exec_command_and_wait_for_pattern("reboot", "reboot: Restarting system", None)?;
    // Wait for VM to shut down gracefully
    vm.wait_exit()?;
    Ok(())
}

#[qemu_test]
fn arm_cubieboard_openwrt_22_03_2(mut vm: Machine) -> TestResult {
    skip::big_data()?;
    // This test download a 7.5 MiB compressed image and expand it
    // to 126 MiB.
    vm.set_machine("cubieboard")?;
    vm.require_netdev("user")?;
    let image = vm.env().uncompress(&OPENWRT)?;
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
        "Allwinner sun4i/sun5i",
        None,
    )?;
    console.exec_command_and_wait_for_pattern("reboot", "reboot: Restarting system", None)?;
    // Wait for VM to shut down gracefully
    vm.wait_exit()?;
    Ok(())
}
