//! Port of QEMU's tests/functional/arm/test_orangepi.py: an Armbian kernel on orangepi-pc boots from initrd and SD, Armbian and NetBSD boot through U-Boot.

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
static ARMBIAN: Asset = Asset::new(
    "https://k-space.ee.armbian.com/archive/orangepipc/archive/Armbian_23.8.1_Orangepipc_jammy_current_6.1.47.img.xz",
    "b386dff6552513b5f164ea00f94814a6b0f1da9fb90b83725e949cf797e11afb",
);

#[asset]
static UBOOT: Asset = Asset::new(
    "http://snapshot.debian.org/archive/debian/20200108T145233Z/pool/main/u/u-boot/u-boot-sunxi_2020.01%2Bdfsg-1_armhf.deb",
    "9223d94dc283ab54df41ce9d6f69025a5b47fece29fb67a714e23aa0cdf3bdfa",
);

#[asset]
static NETBSD: Asset = Asset::new(
    "https://archive.netbsd.org/pub/NetBSD-archive/NetBSD-9.0/evbarm-earmv7hf/binary/gzimg/armv7.img.gz",
    "20d3e07dc057e15c12452620e90ecab2047f0f7940d9cba8182ebc795927177f",
);

const KERNEL: &str = "boot/vmlinuz-6.6.16-current-sunxi";
const DTB: &str = "usr/lib/linux-image-6.6.16-current-sunxi/sun8i-h3-orangepi-pc.dtb";

#[qemu_test]
fn arm_orangepi(mut vm: Machine) -> TestResult {
    vm.set_machine("orangepi-pc")?;
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
fn arm_orangepi_initrd(mut vm: Machine) -> TestResult {
    vm.set_machine("orangepi-pc")?;
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
fn arm_orangepi_sd(mut vm: Machine) -> TestResult {
    vm.set_machine("orangepi-pc")?;
    vm.require_netdev("user")?;
    let kernel = vm.env().archive_extract(&DEB, KERNEL)?;
    let dtb = vm.env().archive_extract(&DEB, DTB)?;
    let rootfs = vm.env().uncompress(&ROOTFS)?;
    let rootfs = linux::image_pow2ceil_expand(vm.env(), &rootfs)?;
    vm.set_console();
    let kernel_command_line = format!(
        "{}console=ttyS0,115200 root=/dev/mmcblk0 rootwait rw panic=-1 noreboot",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    vm.arg("-kernel").arg(&kernel).arg("-dtb").arg(&dtb);
    vm.arg("-drive")
        .arg(format!("file={},if=sd,format=raw", rootfs.display()));
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
    console.exec_command_and_wait_for_pattern("cat /proc/partitions", "mmcblk0", None)?;
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
fn arm_orangepi_armbian(mut vm: Machine) -> TestResult {
    skip::big_data()?;
    vm.set_machine("orangepi-pc")?;
    vm.require_netdev("user")?;
    // This test download a 275 MiB compressed image and expand it
    // to 1036 MiB, but the underlying filesystem is 1552 MiB...
    // As we expand it to 2 GiB we are safe.
    let image = vm.env().uncompress(&ARMBIAN)?;
    let image = linux::image_pow2ceil_expand(vm.env(), &image)?;
    vm.set_console();
    vm.arg("-drive")
        .arg(format!("file={},if=sd,format=raw", image.display()));
    vm.args(["-nic", "user", "-no-reboot"]);
    vm.launch()?;
    let kernel_command_line = format!(
        "{}console=ttyS0,115200 loglevel=7 nosmp systemd.default_timeout_start_sec=9000 \
         systemd.mask=armbian-zram-config.service systemd.mask=armbian-ramlog.service",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    linux::wait_for_console_pattern(&mut vm, "U-Boot SPL")?;
    linux::wait_for_console_pattern(&mut vm, "Autoboot in ")?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern(" ", "=>", None)?;
    console.exec_command_and_wait_for_pattern(
        &format!("setenv extraargs '{kernel_command_line}'"),
        "=>",
        None,
    )?;
    console.exec_command_and_wait_for_pattern("boot", "Starting kernel ...", None)?;
    linux::wait_for_console_pattern(&mut vm, "systemd[1]: Hostname set to <orangepipc>")?;
    linux::wait_for_console_pattern(&mut vm, "Starting Load Kernel Modules...")?;
    Ok(())
}

#[qemu_test]
fn arm_orangepi_uboot_netbsd9(mut vm: Machine) -> TestResult {
    skip::big_data()?;
    vm.set_machine("orangepi-pc")?;
    vm.require_netdev("user")?;
    // This test download a 304MB compressed image and expand it to 2GB
    // We use the common OrangePi PC 'plus' build of U-Boot for our secondary
    // program loader (SPL). We will then set the path to the more specific
    // OrangePi "PC" device tree blob with 'setenv fdtfile' in U-Boot prompt,
    // before to boot NetBSD.
    let uboot = vm.env().archive_extract(
        &UBOOT,
        "usr/lib/u-boot/orangepi_plus/u-boot-sunxi-with-spl.bin",
    )?;
    let image = vm.env().uncompress(&NETBSD)?;
    let image = linux::image_pow2ceil_expand(vm.env(), &image)?;
    // dd if=u-boot-sunxi-with-spl.bin of=armv7.img bs=1K seek=8 conv=notrunc
    linux::file_write_at(&image, 8 * 1024, &uboot)?;
    vm.set_console();
    vm.args(["-nic", "user", "-drive"]);
    vm.arg(format!(
        "if=sd,format=raw,snapshot=on,file={}",
        image.display()
    ));
    vm.args(["-global", "allwinner-rtc.base-year=2000", "-no-reboot"]);
    vm.launch()?;
    let console = vm.console();
    console.wait_for("U-Boot 2020.01+dfsg-1")?;
    console.interrupt_interactive_console_until_pattern(
        "Hit any key to stop autoboot:",
        Some("switch to partitions #0, OK"),
        None,
    )?;
    console.exec_command_and_wait_for_pattern("", "=>", None)?;
    console.exec_command_and_wait_for_pattern("setenv bootargs root=ld0a", "=>", None)?;
    console.exec_command_and_wait_for_pattern("setenv kernel netbsd-GENERIC.ub", "=>", None)?;
    console.exec_command_and_wait_for_pattern(
        "setenv fdtfile dtb/sun8i-h3-orangepi-pc.dtb",
        "=>",
        None,
    )?;
    let cmd = "setenv bootcmd 'fatload mmc 0:1 ${kernel_addr_r} ${kernel}; \
               fatload mmc 0:1 ${fdt_addr_r} ${fdtfile}; \
               fdt addr ${fdt_addr_r}; \
               bootm ${kernel_addr_r} - ${fdt_addr_r}'";
    console.exec_command_and_wait_for_pattern(cmd, "=>", None)?;
    console.exec_command_and_wait_for_pattern("boot", "Booting kernel from Legacy Image", None)?;
    console.wait_for("Starting kernel ...")?;
    console.wait_for("NetBSD 9.0 (GENERIC)")?;
    // Wait for user-space
    console.wait_for("Starting root file system check")?;
    Ok(())
}
