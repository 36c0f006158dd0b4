//! The s390-ccw BIOS shipped with QEMU finds nothing to IPL, says so on the
//! SCLP console and halts, and QEMU exits cleanly.

use qemu_fixtures::prelude::*;

static BIOS: Installed = Installed::new("/usr/share/qemu/s390-ccw.img", "qemu-system-data");

#[qemu_test]
fn reports_no_ipl_device_and_halts(mut vm: Machine) -> TestResult {
    vm.env().installed(&BIOS)?;
    // Held at reset until QMP is up: the BIOS halts, and QEMU exits, in
    // well under 0.1 s, which could be before QEMU has finished starting.
    vm.args(["-nic", "none", "-S"]).launch()?;
    vm.cmd("cont", Value::Null)?;
    vm.console()
        .wait_for("ERROR: No suitable device for IPL. Halting...")?;
    // The guest's disabled wait is a panic whose default action shuts down.
    let exit = vm.wait_exit()?;
    ensure!(
        exit.code() == Some(0),
        "QEMU {exit} after the halt, expected exit code 0"
    );
    Ok(())
}
