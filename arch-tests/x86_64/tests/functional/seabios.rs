//! SeaBIOS from Debian's seabios package on the pc machine (also run by
//! arch-i386, on its 32-bit QEMU), on the serial
//! console (`graphics=off` tells it to use one): its banner, the boot
//! menu, and the verdict when nothing is bootable.

use qemu_fixtures::prelude::*;

static SEABIOS: Installed = Installed::new("/usr/share/seabios/bios-256k.bin", "seabios");

#[qemu_test]
fn reports_no_bootable_device(mut vm: Machine) -> TestResult {
    vm.set_machine("pc,graphics=off")?;
    let bios = vm.env().installed(&SEABIOS)?;
    vm.args(["-nic", "none", "-bios"]).arg(&bios).launch()?;
    let console = vm.console();
    console.wait_for("SeaBIOS (version ")?;
    console.wait_for("Booting from Hard Disk...")?;
    console.wait_for("No bootable device.")?;
    Ok(())
}

#[qemu_test]
fn boot_menu_lists_the_devices(mut vm: Machine) -> TestResult {
    vm.set_machine("pc,graphics=off")?;
    let bios = vm.env().installed(&SEABIOS)?;
    vm.args([
        "-nic",
        "none",
        "-boot",
        "menu=on,splash-time=30000",
        "-bios",
    ])
    .arg(&bios)
    .launch()?;
    let console = vm.console();
    console.wait_for("SeaBIOS (version ")?;
    console.wait_for("Press ESC for boot menu.")?;
    console.send("\x1b")?;
    let menu = console.wait_for("Select boot device:")?;
    ensure!(
        !menu.text().contains("Booting from"),
        "SeaBIOS booted before the menu"
    );
    console.wait_for("Floppy")?;
    console.wait_for("DVD/CD")?;
    Ok(())
}
