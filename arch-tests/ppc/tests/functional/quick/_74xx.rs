//! Port of QEMU's tests/functional/ppc/test_74xx.py: OpenBIOS on g3beige names each 74xx (G4) CPU model.

use qemu_fixtures::prelude::*;

/// OpenBIOS on g3beige with `-cpu cpu` reports `>> CPU type <cpu_type>`.
fn smoke(mut vm: Machine, cpu: &str, cpu_type: &str) -> TestResult {
    vm.require_accelerator("tcg")?;
    vm.set_machine("g3beige")?;
    vm.set_console();
    vm.args(["-cpu", cpu]).launch()?;
    vm.console().wait_for(">> OpenBIOS")?;
    vm.console().wait_for(&format!(">> CPU type {cpu_type}"))?;
    Ok(())
}

#[qemu_test]
fn ppc_7400(vm: Machine) -> TestResult {
    smoke(vm, "7400", "PowerPC,G4")
}

#[qemu_test]
fn ppc_7410(vm: Machine) -> TestResult {
    smoke(vm, "7410", "PowerPC,74xx")
}

#[qemu_test]
fn ppc_7441(vm: Machine) -> TestResult {
    smoke(vm, "7441", "PowerPC,G4")
}

#[qemu_test]
fn ppc_7445(vm: Machine) -> TestResult {
    smoke(vm, "7445", "PowerPC,G4")
}

#[qemu_test]
fn ppc_7447(vm: Machine) -> TestResult {
    smoke(vm, "7447", "PowerPC,G4")
}

#[qemu_test]
fn ppc_7447a(vm: Machine) -> TestResult {
    smoke(vm, "7447a", "PowerPC,G4")
}

#[qemu_test]
fn ppc_7448(vm: Machine) -> TestResult {
    smoke(vm, "7448", "PowerPC,MPC86xx")
}

#[qemu_test]
fn ppc_7450(vm: Machine) -> TestResult {
    smoke(vm, "7450", "PowerPC,G4")
}

#[qemu_test]
fn ppc_7451(vm: Machine) -> TestResult {
    smoke(vm, "7451", "PowerPC,G4")
}

#[qemu_test]
fn ppc_7455(vm: Machine) -> TestResult {
    smoke(vm, "7455", "PowerPC,G4")
}

#[qemu_test]
fn ppc_7457(vm: Machine) -> TestResult {
    smoke(vm, "7457", "PowerPC,G4")
}

#[qemu_test]
fn ppc_7457a(vm: Machine) -> TestResult {
    smoke(vm, "7457a", "PowerPC,G4")
}
