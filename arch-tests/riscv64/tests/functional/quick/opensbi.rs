//! Port of QEMU's tests/functional/riscv64/test_opensbi.py: QEMU's default OpenSBI firmware prints its platform and boot HART on spike, sifive_u, tt-atlantis and virt.
//!
//! riscv32's test_opensbi.py reuses this class, so arch-riscv32 includes
//! this file as its own `quick::opensbi`.

use qemu_fixtures::prelude::*;

/// Upstream's `boot_opensbi`: the firmware QEMU loads by default.
fn boot_opensbi(mut vm: Machine) -> TestResult {
    vm.set_console();
    vm.launch()?;
    vm.console().wait_for("Platform Name")?;
    vm.console().wait_for("Boot HART MEDELEG")?;
    Ok(())
}

#[qemu_test]
fn riscv_spike(mut vm: Machine) -> TestResult {
    vm.set_machine("spike")?;
    boot_opensbi(vm)
}

#[qemu_test]
fn riscv_sifive_u(mut vm: Machine) -> TestResult {
    vm.set_machine("sifive_u")?;
    boot_opensbi(vm)
}

#[qemu_test]
fn riscv_tt_atlantis(mut vm: Machine) -> TestResult {
    vm.set_machine("tt-atlantis")?;
    boot_opensbi(vm)
}

#[qemu_test]
fn riscv_virt(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    boot_opensbi(vm)
}
