//! Port of QEMU's tests/functional/hppa/test_seabios.py: SeaBIOS-hppa prints its banner and names the emulated machine, 32-bit B160L and 64-bit A400.

use qemu_fixtures::prelude::*;

/// Upstream's `boot_seabios`: the firmware's banner, then its machine line.
fn boot_seabios(mut vm: Machine, mach: &str, bits: u32) -> TestResult {
    vm.arg("-no-shutdown");
    vm.set_console();
    vm.launch()?;
    let console = vm.console();
    console.wait_for(&format!("SeaBIOS PA-RISC {bits}-bit Firmware"))?;
    console.wait_for(&format!("Emulated machine:     HP {mach} ({bits}-bit"))?;
    Ok(())
}

#[qemu_test]
fn hppa_32(mut vm: Machine) -> TestResult {
    vm.set_machine("B160L")?;
    boot_seabios(vm, "B160L", 32)
}

#[qemu_test]
fn hppa_64(mut vm: Machine) -> TestResult {
    vm.set_machine("A400")?;
    boot_seabios(vm, "A400", 64)
}
