//! Port of QEMU's tests/functional/arm/test_aspeed_ast2600_sdk_otp.py: an OTP strap bit programmed from U-Boot on the AST2600 EVB reads back in U-Boot, in the BMC, and after a reboot.

use qemu_fixtures::prelude::*;

#[asset]
static SDK_V1100_AST2600: Asset = Asset::new(
    "https://github.com/AspeedTech-BMC/openbmc/releases/download/v11.00/ast2600-default-obmc.tar.gz",
    "64d8926a7d01b649168be96c986603b5690f06391286c438a3a772c8c7039e93",
);

#[qemu_test]
fn arm_ast2600_otp_blockdev_device(mut vm: Machine) -> TestResult {
    vm.set_machine("ast2600-evb")?;
    vm.require_netdev("user")?;
    let image_path = vm.env().archive_extract_all(&SDK_V1100_AST2600)?;
    vm.set_console();
    aspeed::otp_blockdev(&mut vm)?;
    vm.arg("-drive").arg(format!(
        "file={},if=mtd,format=raw",
        image_path
            .join("ast2600-default")
            .join("image-bmc")
            .display()
    ));
    vm.args(["-net", "nic", "-net", "user", "-snapshot"]);
    vm.launch()?;
    let console = vm.console();
    // Set the OTP value with U-Boot's command
    console.wait_for_console_pattern("Hit any key to stop autoboot:", None)?;
    console.exec_command_and_wait_for_pattern("\n", "ast#", None)?;
    console.exec_command_and_wait_for_pattern("otp pb strap  o 0x30 1", "ast#", None)?;
    // Check it in U-Boot
    console.exec_command_and_wait_for_pattern("otp read strap 0x30", "0x30      1", None)?;
    console.exec_command_and_wait_for_pattern("boot", "ast2600-default login:", None)?;
    console.exec_command_and_wait_for_pattern("root", "Password:", None)?;
    console.exec_command_and_wait_for_pattern("0penBmc", "root@ast2600-default:~#", None)?;
    // Check it in the BMC
    console.exec_command_and_wait_for_pattern("otp read strap 0x30", "0x30      1", None)?;
    console.exec_command_and_wait_for_pattern("reboot", "Hit any key to stop autoboot", None)?;
    console.exec_command_and_wait_for_pattern("\n", "ast#", None)?;
    // Check it in U-Boot again
    console.exec_command_and_wait_for_pattern("otp read strap 0x30", "0x30      1", None)?;
    Ok(())
}
