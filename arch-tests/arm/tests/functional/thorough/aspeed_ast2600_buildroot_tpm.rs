//! Port of QEMU's tests/functional/arm/test_aspeed_ast2600_buildroot_tpm.py: buildroot on the AST2600 EVB binds a TPM on I2C bus 12, backed by swtpm, and reads its PCR 0.

use qemu_fixtures::prelude::*;

#[asset]
static BR2_202302_AST2600_TPM_FLASH: Asset = Asset::new(
    "https://github.com/legoater/qemu-aspeed-boot/raw/master/images/ast2600-evb/buildroot-2023.02-tpm/flash.img",
    "a46009ae8a5403a0826d607215e731a8c68d27c14c41e55331706b8f9c7bd997",
);

#[qemu_test]
fn arm_ast2600_evb_buildroot_tpm(mut vm: Machine) -> TestResult {
    aspeed::require_swtpm()?;
    vm.set_machine("ast2600-evb")?;
    let image_path = vm.env().fetch(&BR2_202302_AST2600_TPM_FLASH)?;
    let swtpm = aspeed::Swtpm::start(vm.env())?;
    vm.arg("-chardev").arg(format!(
        "socket,id=chrtpm,path={}",
        swtpm.socket().display()
    ));
    vm.args(["-tpmdev", "emulator,id=tpm0,chardev=chrtpm"]);
    vm.args([
        "-device",
        "tpm-tis-i2c,tpmdev=tpm0,bus=aspeed.i2c.bus.12,address=0x2e",
    ]);
    aspeed::buildroot_start(&mut vm, &image_path, "0xf00", "Aspeed AST2600 EVB")?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern(
        "echo tpm_tis_i2c 0x2e > /sys/bus/i2c/devices/i2c-12/new_device",
        "tpm_tis_i2c 12-002e: 2.0 TPM (device-id 0x1, rev-id 1)",
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        "cat /sys/class/tpm/tpm0/pcr-sha256/0",
        "B804724EA13F52A9072BA87FE8FDCC497DFC9DF9AA15B9088694639C431688E0",
        None,
    )?;
    aspeed::buildroot_poweroff(&mut vm)
}
