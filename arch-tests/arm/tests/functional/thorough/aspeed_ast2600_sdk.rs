//! Port of QEMU's tests/functional/arm/test_aspeed_ast2600_sdk.py: the Aspeed SDK v11.01 on the AST2600 EVB drives I2C sensors and RTC, an e1000e behind the PCIe bridge and a mock I3C target.

use qemu_fixtures::prelude::*;

#[asset]
static SDK_V1101_AST2600: Asset = Asset::new(
    "https://github.com/AspeedTech-BMC/openbmc/releases/download/v11.01/ast2600-default-image.tar.gz",
    "3c5b4d4ccf27b0d208a073f98426db54cd751b96143180cd15df1a83978f832c",
);

fn do_ast2600_pcie_test(console: &mut Console) -> TestResult {
    console.exec_command_and_wait_for_pattern(
        "lspci -s 00:08.0",
        "00:08.0 PCI bridge: ASPEED Technology, Inc. AST1150 PCI-to-PCI Bridge",
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        "lspci -s 01:00.0",
        "01:00.0 Ethernet controller: Intel Corporation 82574L Gigabit Network Connection",
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        "ip addr show dev eth4",
        "inet 10.0.2.15/24",
        None,
    )?;
    Ok(())
}

fn do_ast2600_i3c_test(console: &mut Console) -> TestResult {
    console.exec_command_and_wait_for_pattern(
        "i3ctransfer -d /dev/bus/i3c/5-1234567890ab -w 0x12,0x34,0x56,0x78,0x90,0xab,0xcd,0xef",
        "Success on message 0",
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        "i3ctransfer -d /dev/bus/i3c/5-1234567890ab -r 8 | grep 0x | xargs",
        "0x12 0x34 0x56 0x78 0x90 0xab 0xcd 0xef",
        None,
    )?;
    Ok(())
}

#[qemu_test]
fn arm_ast2600_evb_sdk(mut vm: Machine) -> TestResult {
    vm.set_machine("ast2600-evb")?;
    vm.require_netdev("user")?;
    let image = vm
        .env()
        .archive_extract(&SDK_V1101_AST2600, "ast2600-default-image/image-bmc")?;
    vm.args([
        "-device",
        "tmp105,bus=aspeed.i2c.bus.5,address=0x4d,id=tmp-test",
    ]);
    vm.args(["-device", "ds1338,bus=aspeed.i2c.bus.5,address=0x32"]);
    vm.args(["-device", "e1000e,netdev=net1,bus=pcie.0"]);
    vm.args(["-netdev", "user,id=net1"]);
    vm.args(["-device", "mock-i3c-target,bus=dw.i3c.5,pid=0xab9078563412"]);
    aspeed::sdk_start(&mut vm, &image)?;
    let console = vm.console();
    console.wait_for("ast2600-default login:")?;
    console.exec_command_and_wait_for_pattern("root", "Password:", None)?;
    console.exec_command_and_wait_for_pattern("0penBmc", "root@ast2600-default:~#", None)?;
    console.exec_command_and_wait_for_pattern(
        "echo lm75 0x4d > /sys/class/i2c-dev/i2c-5/device/new_device",
        "i2c i2c-5: new_device: Instantiated device lm75 at 0x4d",
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        "cat /sys/class/hwmon/hwmon19/temp1_input",
        "0",
        None,
    )?;
    vm.cmd(
        "qom-set",
        json!({"path": "/machine/peripheral/tmp-test", "property": "temperature", "value": 18000}),
    )?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern(
        "cat /sys/class/hwmon/hwmon19/temp1_input",
        "18000",
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        "echo ds1307 0x32 > /sys/class/i2c-dev/i2c-5/device/new_device",
        "i2c i2c-5: new_device: Instantiated device ds1307 at 0x32",
        None,
    )?;
    let year = aspeed::current_year();
    console.exec_command_and_wait_for_pattern("/sbin/hwclock -f /dev/rtc1", &year, None)?;
    do_ast2600_pcie_test(console)?;
    do_ast2600_i3c_test(console)
}
