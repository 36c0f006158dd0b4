//! SeaBIOS from Debian's seabios on the 32-bit pc machine, on the serial
//! console (`graphics=off`): its banner and the verdict with no disk.

use qemu_fixtures::prelude::*;

static SEABIOS: Installed = Installed::new("/usr/share/seabios/bios-256k.bin", "seabios");

#[qemu_test]
fn reports_no_bootable_device(mut vm: Machine) -> TestResult {
    vm.set_machine("pc,graphics=off")?;
    let bios = vm.env().installed(&SEABIOS)?;
    vm.args(["-nic", "none", "-bios"]).arg(&bios).launch()?;
    let console = vm.console();
    console.wait_for("SeaBIOS (version ")?;
    console.wait_for("No bootable device.")?;
    Ok(())
}
