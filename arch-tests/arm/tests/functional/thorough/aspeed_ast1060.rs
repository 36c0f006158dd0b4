//! Port of QEMU's tests/functional/arm/test_aspeed_ast1060.py: the AST1060 PRoT Zephyr firmware boots to its shell, and boots with an OTP memory on a blockdev.

use qemu_fixtures::prelude::*;

#[asset]
static ASPEED_AST1060_PROT_3_07: Asset = Asset::new(
    "https://github.com/AspeedTech-BMC/aspeed-zephyr-project/releases/download/v03.07/ast1060_prot_v03.07.tgz",
    "55a7f51f0b77051a0ef2ada993a16c5033768e1b8e8be3babfc52c303eecd07f",
);

#[qemu_test]
fn arm_ast1060_prot_3_07(mut vm: Machine) -> TestResult {
    vm.set_machine("ast1060-evb")?;
    let kernel_file = vm
        .env()
        .archive_extract(&ASPEED_AST1060_PROT_3_07, "ast1060_prot/zephyr.bin")?;
    vm.set_console();
    vm.arg("-kernel").arg(&kernel_file).arg("-nographic");
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Booting Zephyr OS")?;
    vm.console()
        .exec_command_and_wait_for_pattern("help", "Available commands", None)?;
    Ok(())
}

#[qemu_test]
fn arm_ast1060_otp_blockdev_device(mut vm: Machine) -> TestResult {
    vm.set_machine("ast1060-evb")?;
    let kernel_file = vm
        .env()
        .archive_extract(&ASPEED_AST1060_PROT_3_07, "ast1060_prot/zephyr.bin")?;
    vm.set_console();
    vm.arg("-kernel").arg(&kernel_file);
    aspeed::otp_blockdev(&mut vm)?;
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Booting Zephyr OS")?;
    Ok(())
}
