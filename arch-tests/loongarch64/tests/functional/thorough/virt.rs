//! Port of QEMU's tests/functional/loongarch64/test_virt.py: Linux boots on a 4-CPU la464 virt machine under EFI and lists its four processors.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://github.com/yangxiaojuan-loongson/qemu-binary/releases/download/2024-11-26/vmlinuz.efi",
    "08b88a45f48a5fd92260bae895be4e5175be2397481a6f7821b9f39b2965b79e",
);
#[asset]
static INITRD: Asset = Asset::new(
    "https://github.com/yangxiaojuan-loongson/qemu-binary/releases/download/2024-11-26/ramdisk",
    "03d6fb6f8ee64ecac961120a0bdacf741f17b3bee2141f17fa01908c8baf176a",
);
#[asset]
static BIOS: Asset = Asset::new(
    "https://github.com/yangxiaojuan-loongson/qemu-binary/releases/download/2024-11-26/QEMU_EFI.fd",
    "f55fbf5d92e885844631ae9bfa8887f659bbb4f6ef2beea9e9ff8bc0603b6697",
);

#[qemu_test]
fn loongarch64_devices(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    let kernel = vm.env().fetch(&KERNEL)?;
    let initrd = vm.env().fetch(&INITRD)?;
    let bios = vm.env().fetch(&BIOS)?;
    vm.set_console();
    let kernel_command_line = format!(
        "{}root=/dev/ram rdinit=/sbin/init console=ttyS0,115200",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    vm.args(["-nographic", "-smp", "4", "-m", "1024", "-cpu", "la464"])
        .arg("-kernel")
        .arg(&kernel)
        .arg("-initrd")
        .arg(&initrd)
        .arg("-bios")
        .arg(&bios)
        .args(["-append", &kernel_command_line]);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Run /sbin/init as init process")?;
    vm.console().exec_command_and_wait_for_pattern(
        "cat /proc/cpuinfo",
        "processor\t\t: 3",
        None,
    )?;
    Ok(())
}
