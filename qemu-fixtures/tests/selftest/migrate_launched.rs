//! `do_migrate_ppc64_linux`: two QEMUs a test launched itself, the destination deferred, migrate over TCP and end running and postmigrate.

use qemu_fixtures::guests::migration::do_migrate_ppc64_linux;
use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::guest::Then;

use crate::support::boot_message;

#[qemu_test]
fn launched_pair_migrates_over_tcp(mut vm: Machine) -> TestResult {
    let mut dest = vm.sibling("dest-qemu");
    boot_message(&mut dest, "booted\r\n", Then::Halt)?;
    dest.args(["-incoming", "defer"]);
    dest.launch()?;
    boot_message(&mut vm, "booted\r\n", Then::Halt)?;
    vm.launch()?;
    vm.console().wait_for("booted")?;
    do_migrate_ppc64_linux(&mut vm, &mut dest)?;
    let state = dest.qmp().run_state()?;
    ensure!(state == "running", "destination is {state}");
    Ok(())
}

#[qemu_test]
fn launched_pair_of_different_memory_fails(mut vm: Machine) -> TestResult {
    let mut dest = vm.sibling("dest-qemu");
    boot_message(&mut dest, "booted\r\n", Then::Halt)?;
    dest.args(["-incoming", "defer", "-m", "256"]);
    dest.launch()?;
    boot_message(&mut vm, "booted\r\n", Then::Halt)?;
    vm.args(["-m", "128"]);
    vm.launch()?;
    let result = do_migrate_ppc64_linux(&mut vm, &mut dest);
    ensure!(
        result.is_err(),
        "a destination with another RAM size took the migration"
    );
    Ok(())
}
