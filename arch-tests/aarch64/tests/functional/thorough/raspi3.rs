//! Port of QEMU's tests/functional/aarch64/test_raspi3.py: the RPi3 UEFI firmware starts on raspi3b.

use qemu_fixtures::prelude::*;

#[asset]
static RPI3_UEFI: Asset = Asset::new(
    "https://github.com/pbatard/RPi3/releases/download/v1.15/RPi3_UEFI_Firmware_v1.15.zip",
    "8cff2e979560048b4c84921f41a91893240b9fb71a88f0b5c5d6c8edd994bd5b",
);

#[qemu_test]
fn aarch64_raspi3_atf(mut vm: Machine) -> TestResult {
    let efi_name = "RPI_EFI.fd";
    let efi_fd = vm.env().archive_extract(&RPI3_UEFI, efi_name)?;
    vm.set_machine("raspi3b")?;
    vm.set_console_index(1);
    vm.args(["-cpu", "cortex-a53", "-nodefaults", "-device"]);
    vm.arg(format!("loader,file={},force-raw=true", efi_fd.display()));
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "version UEFI Firmware v1.15")?;
    Ok(())
}
