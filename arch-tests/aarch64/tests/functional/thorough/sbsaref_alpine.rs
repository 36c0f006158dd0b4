//! Port of QEMU's tests/functional/aarch64/test_sbsaref_alpine.py: Alpine Linux boots from EFI to userspace on sbsa-ref with each CPU model.

use qemu_fixtures::prelude::*;

use super::sbsaref::fetch_firmware;

#[asset]
static ALPINE_ISO: Asset = Asset::new(
    "https://dl-cdn.alpinelinux.org/alpine/v3.17/releases/aarch64/alpine-standard-3.17.2-aarch64.iso",
    "5a36304ecf039292082d92b48152a9ec21009d3a62f459de623e19c4bd9dc027",
);

/// The whole boot chain from EFI to userspace; only the top level CPU and
/// GIC boot a whole OS, other profiles should boot less.
fn boot_alpine_linux(vm: &mut Machine, cpu: Option<&str>) -> TestResult {
    vm.set_machine("sbsa-ref")?;
    fetch_firmware(vm)?;
    let iso_path = vm.env().fetch(&ALPINE_ISO)?;
    vm.set_console();
    vm.arg("-drive").arg(format!(
        "file={},media=cdrom,format=raw",
        iso_path.display()
    ));
    if let Some(cpu) = cpu {
        vm.args(["-cpu", cpu]);
    }
    vm.launch()?;
    vm.console()
        .wait_for_console_pattern("Welcome to Alpine Linux 3.17", None)?;
    Ok(())
}

#[qemu_test]
fn sbsaref_alpine_linux_cortex_a57(mut vm: Machine) -> TestResult {
    boot_alpine_linux(&mut vm, Some("cortex-a57"))
}

#[qemu_test]
fn sbsaref_alpine_linux_default_cpu(mut vm: Machine) -> TestResult {
    boot_alpine_linux(&mut vm, None)
}

#[qemu_test]
fn sbsaref_alpine_linux_max_pauth_off(mut vm: Machine) -> TestResult {
    boot_alpine_linux(&mut vm, Some("max,pauth=off"))
}

#[qemu_test]
fn sbsaref_alpine_linux_max_pauth_impdef(mut vm: Machine) -> TestResult {
    boot_alpine_linux(&mut vm, Some("max,pauth-impdef=on"))
}

#[qemu_test]
fn sbsaref_alpine_linux_max(mut vm: Machine) -> TestResult {
    skip::slow()?; // might time out because of PAuth emulation
    boot_alpine_linux(&mut vm, Some("max"))
}
