//! Port of QEMU's tests/functional/arm/test_quanta_gsj.py: OpenBMC on quanta-gsj boots from flash through U-Boot, and its kernel boots from initrd.

use qemu_fixtures::prelude::*;

#[asset]
static IMAGE: Asset = Asset::new(
    "https://github.com/hskinnemoen/openbmc/releases/download/20200711-gsj-qemu-0/obmc-phosphor-image-gsj.static.mtd.gz",
    "eccd4e375cde53034c84aece5c511932cacf838d9fd3f63da368a511757da72b",
);

#[asset]
static INITRD: Asset = Asset::new(
    "https://github.com/hskinnemoen/openbmc/releases/download/20200711-gsj-qemu-0/obmc-phosphor-initramfs-gsj.cpio.xz",
    "37b05009fc54db1434beac12bd7ff99a2e751a2f032ee18d9042f991dd0cdeaa",
);

#[asset]
static KERNEL: Asset = Asset::new(
    "https://github.com/hskinnemoen/openbmc/releases/download/20200711-gsj-qemu-0/uImage-gsj.bin",
    "ce6d6b37bff46c74fc7b1e90da10a431cc37a62cdb35ec199fa73473d0790110",
);

#[asset]
static DTB: Asset = Asset::new(
    "https://github.com/hskinnemoen/openbmc/releases/download/20200711-gsj-qemu-0/nuvoton-npcm730-gsj.dtb",
    "3249b2da787d4b9ad4e61f315b160abfceb87b5e1895a7ce898ce7f40c8d4045",
);

#[qemu_test]
fn arm_quanta_gsj(mut vm: Machine) -> TestResult {
    skip::unless_env("QEMU_TEST_TIMEOUT_EXPECTED", "Test might timeout")?;
    vm.set_machine("quanta-gsj")?;
    let image = vm.env().uncompress_as(&IMAGE, Compression::Gzip)?;
    vm.set_console();
    vm.arg("-drive")
        .arg(format!("file={},if=mtd,bus=0,unit=0", image.display()));
    vm.launch()?;
    // Disable drivers and services that stall for a long time during boot,
    // to avoid running past the 90-second timeout. These may be removed
    // as the corresponding device support is added.
    let kernel_command_line = format!(
        "{}console=${{console}} mem=${{mem}} initcall_blacklist=npcm_i2c_bus_driver_init \
         systemd.mask=systemd-random-seed.service systemd.mask=dropbearkey.service ",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    linux::wait_for_console_pattern(&mut vm, "> BootBlock by Nuvoton")?;
    linux::wait_for_console_pattern(&mut vm, ">Device: Poleg BMC NPCM730")?;
    linux::wait_for_console_pattern(&mut vm, ">Skip DDR init.")?;
    linux::wait_for_console_pattern(&mut vm, "U-Boot ")?;
    let console = vm.console();
    console.interrupt_interactive_console_until_pattern(
        "Hit any key to stop autoboot:",
        Some("U-Boot>"),
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        &format!("setenv bootargs ${{bootargs}} {kernel_command_line}"),
        "U-Boot>",
        None,
    )?;
    console.exec_command_and_wait_for_pattern("run romboot", "Booting Kernel from flash", None)?;
    linux::wait_for_console_pattern(&mut vm, "Booting Linux on physical CPU 0x0")?;
    linux::wait_for_console_pattern(&mut vm, "CPU1: thread -1, cpu 1, socket 0")?;
    linux::wait_for_console_pattern(&mut vm, "OpenBMC Project Reference Distro")?;
    linux::wait_for_console_pattern(&mut vm, "gsj login:")?;
    Ok(())
}

#[qemu_test]
fn arm_quanta_gsj_initrd(mut vm: Machine) -> TestResult {
    vm.set_machine("quanta-gsj")?;
    let initrd = vm.env().fetch(&INITRD)?;
    let kernel = vm.env().fetch(&KERNEL)?;
    let dtb = vm.env().fetch(&DTB)?;
    vm.set_console();
    let kernel_command_line = format!(
        "{}console=ttyS0,115200n8 earlycon=uart8250,mmio32,0xf0001000",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    vm.arg("-kernel").arg(&kernel).arg("-initrd").arg(&initrd);
    vm.arg("-dtb").arg(&dtb);
    vm.args(["-append", &kernel_command_line]);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Booting Linux on physical CPU 0x0")?;
    linux::wait_for_console_pattern(&mut vm, "CPU1: thread -1, cpu 1, socket 0")?;
    linux::wait_for_console_pattern(&mut vm, "Give root password for system maintenance")?;
    Ok(())
}
