//! SeaBIOS-hppa, shipped with QEMU, on the 32-bit B160L and the 64-bit
//! C3700: its banner and CPU table, its boot menu, and a clean halt.

use qemu_fixtures::prelude::*;

static FIRMWARE: Installed =
    Installed::new("/usr/share/qemu/hppa-firmware.img", "qemu-system-data");
static FIRMWARE64: Installed =
    Installed::new("/usr/share/qemu/hppa-firmware64.img", "qemu-system-data");

#[qemu_test]
#[case::b160l("B160L", &FIRMWARE, "SeaBIOS PA-RISC 32-bit Firmware Version")]
#[case::c3700("C3700", &FIRMWARE64, "SeaBIOS PA-RISC 64-bit Firmware Version")]
fn boot_menu_exits_cleanly(
    mut vm: Machine,
    #[case] machine: &str,
    #[case] firmware: &Installed,
    #[case] banner: &str,
) -> TestResult {
    // graphics=off puts its console on the serial port.
    vm.set_machine(&format!("{machine},graphics=off"))?;
    vm.env().installed(firmware)?;
    vm.args(["-boot", "menu=on"]).launch()?;
    let console = vm.console();
    console.wait_for(banner)?;
    console.wait_for("Processor   Speed")?;
    console.wait_for("Main Menu: Enter command > ")?;
    console.exec_command_and_wait_for_pattern("EXIT", "SeaBIOS wants SYSTEM HALT.", None)?;
    Ok(())
}
