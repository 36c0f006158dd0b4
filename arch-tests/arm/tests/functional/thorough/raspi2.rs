//! Port of QEMU's tests/functional/arm/test_raspi2.py: a Raspberry Pi kernel on raspi2b sees its USB keyboard, and with an initrd answers at its shell.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL_20190215: Asset = Asset::new(
    "http://archive.raspberrypi.org/debian/pool/main/r/raspberrypi-firmware/raspberrypi-kernel_1.20190215-1_armhf.deb",
    "9f1759f7228113da24f5ee2aa6312946ec09a83e076aba9406c46ff776dfb291",
);

#[asset]
static INITRD: Asset = Asset::new(
    "https://github.com/groeck/linux-build-test/raw/2eb0a73b5d5a28df3170c546ddaaa9757e1e0848/rootfs/arm/rootfs-armv7a.cpio.gz",
    "2c8dbdb16ea7af2dfbcbea96044dde639fb07d09fd3c4fb31f2027ef71e55ddd",
);

/// The kernel can be rebuilt using the kernel source referenced and
/// following the instructions on:
/// https://www.raspberrypi.org/documentation/linux/kernel/building.md
fn do_test_arm_raspi2(mut vm: Machine, uart_id: usize) -> TestResult {
    let serial_kernel_cmdline = ["earlycon=pl011,0x3f201000 console=ttyAMA0"];
    let kernel = linux::extract_from_deb(vm.env(), &KERNEL_20190215, "/boot/kernel7.img")?;
    let dtb = linux::extract_from_deb(vm.env(), &KERNEL_20190215, "/boot/bcm2709-rpi-2-b.dtb")?;
    vm.set_machine("raspi2b")?;
    vm.set_console();
    let kernel_command_line = format!(
        "{}{} root=/dev/mmcblk0p2 rootwait dwc_otg.fiq_fsm_enable=0",
        linux::KERNEL_COMMON_COMMAND_LINE,
        serial_kernel_cmdline[uart_id]
    );
    vm.arg("-kernel").arg(&kernel).arg("-dtb").arg(&dtb);
    vm.args(["-append", &kernel_command_line, "-device", "usb-kbd"]);
    vm.launch()?;
    let console_pattern = format!("Kernel command line: {kernel_command_line}");
    linux::wait_for_console_pattern(&mut vm, &console_pattern)?;
    linux::wait_for_console_pattern(&mut vm, "Product: QEMU USB Keyboard")?;
    Ok(())
}

#[qemu_test]
fn arm_raspi2_uart0(vm: Machine) -> TestResult {
    do_test_arm_raspi2(vm, 0)
}

#[qemu_test]
fn arm_raspi2_initrd(mut vm: Machine) -> TestResult {
    let kernel = linux::extract_from_deb(vm.env(), &KERNEL_20190215, "/boot/kernel7.img")?;
    let dtb = linux::extract_from_deb(vm.env(), &KERNEL_20190215, "/boot/bcm2709-rpi-2-b.dtb")?;
    let initrd = vm.env().uncompress(&INITRD)?;
    vm.set_machine("raspi2b")?;
    let kernel_command_line = format!(
        "{}earlycon=pl011,0x3f201000 console=ttyAMA0 panic=-1 noreboot dwc_otg.fiq_fsm_enable=0",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    linux::boot_initrd_to_shell(&mut vm, &kernel, &initrd, Some(&dtb), &kernel_command_line)?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern("cat /proc/cpuinfo", "BCM2835", None)?;
    console.exec_command_and_wait_for_pattern("cat /proc/iomem", "/soc/cprman@7e101000", None)?;
    console.exec_command_and_wait_for_pattern("halt", "reboot: System halted", None)?;
    // Wait for VM to shut down gracefully
    vm.wait_exit()?;
    Ok(())
}
