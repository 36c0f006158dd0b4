//! Port of QEMU's tests/functional/aarch64/test_sbsaref.py: TF-A and EDK2 on sbsa-ref boot through BL1, BL2 and BL31 to the UEFI firmware.

use qemu_fixtures::prelude::*;

// Flash volumes built with Debian's aarch64-linux-gnu-gcc 12.2.0 from
// Trusted Firmware v2.11.0, Tianocore EDK2 4d4f569924 and EDK2-platforms
// 3f08401: the secure boot ROM (TF-A) and the non-secure ROM (UEFI and its
// variables).
#[asset]
pub(crate) static FLASH0: Asset = Asset::new(
    "https://artifacts.codelinaro.org/artifactory/linaro-419-sbsa-ref/20240619-148232/edk2/SBSA_FLASH0.fd.xz",
    "0c954842a590988f526984de22e21ae0ab9cb351a0c99a8a58e928f0c7359cf7",
);

#[asset]
pub(crate) static FLASH1: Asset = Asset::new(
    "https://artifacts.codelinaro.org/artifactory/linaro-419-sbsa-ref/20240619-148232/edk2/SBSA_FLASH1.fd.xz",
    "c6ec39374c4d79bb9e9cdeeb6db44732d90bb4a334cec92002b3f4b9cac4b5ee",
);

/// Upstream's `fetch_firmware`, which the other sbsa-ref tests import.
pub(crate) fn fetch_firmware(vm: &mut Machine) -> TestResult {
    edk2::fetch_sbsaref_firmware(vm, &FLASH0, &FLASH1)
}

#[qemu_test]
fn sbsaref_edk2_firmware(mut vm: Machine) -> TestResult {
    fetch_firmware(&mut vm)?;
    vm.args(["-cpu", "cortex-a57"]);
    vm.launch()?;
    let console = vm.console();
    // AP Trusted ROM
    console.wait_for("Booting Trusted Firmware")?;
    console.wait_for("BL1: v2.11.0(release):")?;
    console.wait_for("BL1: Booting BL2")?;
    // Trusted Boot Firmware
    console.wait_for("BL2: v2.11.0(release)")?;
    console.wait_for("Booting BL31")?;
    // EL3 Runtime Software
    console.wait_for("BL31: v2.11.0(release)")?;
    // Non-trusted Firmware
    console.wait_for("UEFI firmware (version 1.0")?;
    console.interrupt_interactive_console_until_pattern("QEMU SBSA-REF Machine", None, None)?;
    Ok(())
}
