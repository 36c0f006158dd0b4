//! Port of QEMU's tests/functional/arm/test_emcraft_sf2.py: U-Boot on emcraft-sf2 brings eth0 up and pings the usernet gateway.

use qemu_fixtures::prelude::*;

#[asset]
static UBOOT: Asset = Asset::new(
    "https://raw.githubusercontent.com/Subbaraya-Sundeep/qemu-test-binaries/fe371d32e50ca682391e1e70ab98c2942aeffb01/u-boot",
    "5c6a15103375db11b21f2236473679a9dbbed6d89652bfcdd501c263d68ab725",
);

#[asset]
static SPI: Asset = Asset::new(
    "https://raw.githubusercontent.com/Subbaraya-Sundeep/qemu-test-binaries/fe371d32e50ca682391e1e70ab98c2942aeffb01/spi.bin",
    "cd9bdd2c4cb55a59c3adb6bcf74881667c4500dde0570a43aa3be2b17eecfdb6",
);

#[qemu_test]
fn arm_emcraft_sf2(mut vm: Machine) -> TestResult {
    vm.set_machine("emcraft-sf2")?;
    vm.require_netdev("user")?;
    let uboot = vm.env().fetch(&UBOOT)?;
    let spi = vm.env().fetch(&SPI)?;
    let spi_rw = vm.env().writable_copy(&spi)?;
    linux::file_truncate(&spi_rw, 16 << 20)?; // Spansion S25FL128SDPBHICO is 16 MiB
    vm.set_console();
    vm.arg("-kernel").arg(&uboot);
    vm.args(["-append", linux::KERNEL_COMMON_COMMAND_LINE, "-drive"]);
    vm.arg(format!("file={},if=mtd,format=raw", spi_rw.display()));
    vm.arg("-no-reboot");
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Enter 'help' for a list")?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern(
        "ifconfig eth0 10.0.2.15",
        "eth0: link becomes ready",
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        "ping -c 3 10.0.2.2",
        "3 packets transmitted, 3 packets received, 0% packet loss",
        None,
    )?;
    Ok(())
}
