//! Port of QEMU's tests/functional/arm/test_aspeed_ast1030.py: Zephyr on the AST1030 EVB boots to its shell, runs the SoC's drivers, and boots with an OTP memory on a blockdev.

use qemu_fixtures::prelude::*;

#[asset]
static ZEPHYR_3_05: Asset = Asset::new(
    "https://github.com/AspeedTech-BMC/zephyr/releases/download/v00.03.05/ast1030-evb-demo.zip",
    "057528d343490b1fbb5a721e91084b4f04fec60dc114bd65e724554f9c217f4b",
);

#[qemu_test]
fn arm_ast1030_zephyros_3_05(mut vm: Machine) -> TestResult {
    vm.set_machine("ast1030-evb")?;
    let kernel_file = vm
        .env()
        .archive_extract(&ZEPHYR_3_05, "ast1030-evb-demo/zephyr.elf")?;
    vm.set_console();
    vm.arg("-kernel").arg(&kernel_file).arg("-nographic");
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Booting Zephyr OS")?;
    vm.console()
        .exec_command_and_wait_for_pattern("help", "Available commands", None)?;
    Ok(())
}

#[asset]
static ZEPHYR_1_07: Asset = Asset::new(
    "https://github.com/AspeedTech-BMC/zephyr/releases/download/v00.01.07/ast1030-evb-demo.zip",
    "ad52e27959746988afaed8429bf4e12ab988c05c4d07c9d90e13ec6f7be4574c",
);

#[qemu_test]
fn arm_ast1030_zephyros_1_07(mut vm: Machine) -> TestResult {
    vm.set_machine("ast1030-evb")?;
    let kernel_file = vm
        .env()
        .archive_extract(&ZEPHYR_1_07, "ast1030-evb-demo/zephyr.bin")?;
    vm.set_console();
    vm.arg("-kernel").arg(&kernel_file).arg("-nographic");
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Booting Zephyr OS")?;
    for shell_cmd in [
        "kernel stacks",
        "otp info conf",
        "otp info scu",
        "hwinfo devid",
        "crypto aes256_cbc_vault",
        "random get",
        "jtag JTAG1 sw_xfer high TMS",
        "adc ADC0 resolution 12",
        "adc ADC0 read 42",
        "adc ADC1 read 69",
        "i2c scan I2C_0",
        "i3c attach I3C_0",
        "hash test",
        "kernel uptime",
        "kernel reboot warm",
        "kernel uptime",
        "kernel reboot cold",
        "kernel uptime",
    ] {
        vm.console()
            .exec_command_and_wait_for_pattern(shell_cmd, "uart:~$", None)?;
    }
    Ok(())
}

#[qemu_test]
fn arm_ast1030_otp_blockdev_device(mut vm: Machine) -> TestResult {
    vm.set_machine("ast1030-evb")?;
    let kernel_file = vm
        .env()
        .archive_extract(&ZEPHYR_3_05, "ast1030-evb-demo/zephyr.elf")?;
    vm.set_console();
    vm.arg("-kernel").arg(&kernel_file);
    aspeed::otp_blockdev(&mut vm)?;
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Booting Zephyr OS")?;
    Ok(())
}
