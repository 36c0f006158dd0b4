//! Port of QEMU's tests/functional/arm/test_aspeed_ast2500_buildroot.py: buildroot on the AST2500 EVB reads a tmp105 on I2C bus 3 as lm75, before and after QMP sets its temperature.

use qemu_fixtures::prelude::*;

#[asset]
static BR2_202511_AST2500_FLASH: Asset = Asset::new(
    "https://github.com/legoater/qemu-aspeed-boot/raw/master/images/ast2500-evb/buildroot-2025.11/flash.img",
    "31e5a8e280b982fb0e7c07eb71c94851002f99ac604dfe620e71a5d47cc87e78",
);

#[qemu_test]
fn arm_ast2500_evb_buildroot(mut vm: Machine) -> TestResult {
    vm.set_machine("ast2500-evb")?;
    let image_path = vm.env().fetch(&BR2_202511_AST2500_FLASH)?;
    vm.args([
        "-device",
        "tmp105,bus=aspeed.i2c.bus.3,address=0x4d,id=tmp-test",
    ]);
    aspeed::buildroot_start(&mut vm, &image_path, "0x0", "ast2500-evb login:")?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern(
        "echo lm75 0x4d > /sys/class/i2c-dev/i2c-3/device/new_device",
        "i2c i2c-3: new_device: Instantiated device lm75 at 0x4d",
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        "cat /sys/class/hwmon/hwmon1/temp1_input",
        "0",
        None,
    )?;
    vm.cmd(
        "qom-set",
        json!({"path": "/machine/peripheral/tmp-test", "property": "temperature", "value": 18000}),
    )?;
    vm.console().exec_command_and_wait_for_pattern(
        "cat /sys/class/hwmon/hwmon1/temp1_input",
        "18000",
        None,
    )?;
    aspeed::buildroot_poweroff(&mut vm)
}
