//! Port of QEMU's tests/functional/aarch64/test_sbsaref_freebsd.py: FreeBSD 14.1 boots from EFI to userspace on sbsa-ref with each CPU model.

use qemu_fixtures::prelude::*;

use super::sbsaref::fetch_firmware;

#[asset]
static FREEBSD_ISO: Asset = Asset::new(
    "http://ftp-archive.freebsd.org/pub/FreeBSD-Archive/old-releases/arm64/aarch64/ISO-IMAGES/14.1/FreeBSD-14.1-RELEASE-arm64-aarch64-bootonly.iso.xz",
    "7313a4495ffd71ab77b49b1e83f571521c32756e1d75bf48bd890e0ab0f75827",
);

/// The whole boot chain from EFI to userspace; only the top level CPU and
/// GIC boot a whole OS, other profiles should boot less.
fn boot_freebsd14(vm: &mut Machine, cpu: Option<&str>) -> TestResult {
    vm.set_machine("sbsa-ref")?;
    fetch_firmware(vm)?;
    let img_path = vm.env().uncompress(&FREEBSD_ISO)?;
    vm.set_console();
    vm.arg("-drive").arg(format!(
        "file={},format=raw,snapshot=on",
        img_path.display()
    ));
    if let Some(cpu) = cpu {
        vm.args(["-cpu", cpu]);
    }
    vm.launch()?;
    vm.console()
        .wait_for_console_pattern("Welcome to FreeBSD!", None)?;
    Ok(())
}

#[qemu_test]
fn sbsaref_freebsd14_cortex_a57(mut vm: Machine) -> TestResult {
    boot_freebsd14(&mut vm, Some("cortex-a57"))
}

#[qemu_test]
fn sbsaref_freebsd14_default_cpu(mut vm: Machine) -> TestResult {
    boot_freebsd14(&mut vm, None)
}

#[qemu_test]
fn sbsaref_freebsd14_max_pauth_off(mut vm: Machine) -> TestResult {
    boot_freebsd14(&mut vm, Some("max,pauth=off"))
}

#[qemu_test]
fn sbsaref_freebsd14_max_pauth_impdef(mut vm: Machine) -> TestResult {
    skip::slow()?; // might time out because of PAuth emulation
    boot_freebsd14(&mut vm, Some("max,pauth-impdef=on"))
}

#[qemu_test]
fn sbsaref_freebsd14_max(mut vm: Machine) -> TestResult {
    skip::slow()?; // might time out because of PAuth emulation
    boot_freebsd14(&mut vm, Some("max"))
}
