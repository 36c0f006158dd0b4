//! Port of QEMU's tests/functional/arm/test_aspeed_ast2600_buildroot.py: buildroot on the AST2600 EVB drives a tmp105, a ds1338 RTC and an i2c-echo target on I2C bus 3.

use qemu_fixtures::prelude::*;

#[asset]
static BR2_202511_AST2600_FLASH: Asset = Asset::new(
    "https://github.com/legoater/qemu-aspeed-boot/raw/master/images/ast2600-evb/buildroot-2025.11/flash.img",
    "c64a0755501393d570ca318e326e1e9f8372edc5a6452cdccc3649bc9fd2c138",
);

#[qemu_test]
fn arm_ast2600_evb_buildroot(mut vm: Machine) -> TestResult {
    vm.set_machine("ast2600-evb")?;
    let image_path = vm.env().fetch(&BR2_202511_AST2600_FLASH)?;
    vm.args([
        "-device",
        "tmp105,bus=aspeed.i2c.bus.3,address=0x4d,id=tmp-test",
    ]);
    vm.args(["-device", "ds1338,bus=aspeed.i2c.bus.3,address=0x32"]);
    vm.args(["-device", "i2c-echo,bus=aspeed.i2c.bus.3,address=0x42"]);
    aspeed::buildroot_start(&mut vm, &image_path, "0xf00", "ast2600-evb login:")?;
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
    let console = vm.console();
    console.exec_command_and_wait_for_pattern(
        "cat /sys/class/hwmon/hwmon1/temp1_input",
        "18000",
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        "echo ds1307 0x32 > /sys/class/i2c-dev/i2c-3/device/new_device",
        "i2c i2c-3: new_device: Instantiated device ds1307 at 0x32",
        None,
    )?;
    let year = aspeed::current_year();
    console.exec_command_and_wait_for_pattern("hwclock -f /dev/rtc1", &year, None)?;
    console.exec_command_and_wait_for_pattern(
        "echo slave-24c02 0x1064 > /sys/bus/i2c/devices/i2c-3/new_device",
        "i2c i2c-3: new_device: Instantiated device slave-24c02 at 0x64",
        None,
    )?;
    console.exec_command_and_wait_for_pattern("i2cset -y 3 0x42 0x64 0x00 0xaa i", "#", None)?;
    console.exec_command_and_wait_for_pattern(
        "hexdump /sys/bus/i2c/devices/3-1064/slave-eeprom",
        "0000000 ffaa ffff ffff ffff ffff ffff ffff ffff",
        None,
    )?;
    aspeed::buildroot_poweroff(&mut vm)
}
