//! Port of QEMU's tests/functional/aarch64/test_aspeed_ast2700a1.py: the Aspeed SDK v11.03 on the AST2700 A1 EVB boots from loaded images or the vbootrom, drives I2C, PCIe and USB, and an I2C I/O expander.

use aspeed::Pcie2;
use qemu_fixtures::prelude::*;

#[asset]
static SDK_V1103_AST2700A1: Asset = Asset::new(
    "https://github.com/AspeedTech-BMC/openbmc/releases/download/v11.03/ast2700-a1-image.tar.gz",
    "540961dc380709d852e957c5817cd7ee0dbb0a66f3aa17413eac7b67518afbfe",
);

#[asset]
static SDK_V1103_AST2700A1_DCSCM: Asset = Asset::new(
    "https://github.com/AspeedTech-BMC/openbmc/releases/download/v11.03/ast2700-a1-dcscm-image.tar.gz",
    "5f7c139330fcefa6025bc7565a20fd5ea42cacebf810d56dc9a76b07cf69b3e1",
);

const BL31: &[&str] = &["trusted-firmware-a", "bl31.bin"];

#[qemu_test]
fn aarch64_ast2700a1_evb_sdk_v11_03(mut vm: Machine) -> TestResult {
    vm.set_machine("ast2700a1-evb")?;
    vm.require_netdev("user")?;
    let images = vm.env().archive_extract_all(&SDK_V1103_AST2700A1)?;
    vm.args(["-device", "e1000e,netdev=net1,bus=pcie.2"]);
    vm.args(["-netdev", "user,id=net1"]);
    vm.args(["-device", "usb-kbd,bus=usb-bus.3"]);
    aspeed::start_ast2700_test(&mut vm, &images.join("ast2700-a1-image"), BL31, 1)?;
    aspeed::verify_openbmc_boot_and_login(vm.console(), "ast2700-a1", Pcie2::Enable)?;
    aspeed::ast2700_i2c_test(&mut vm, 1, "tmp-test-1")?;
    aspeed::ast2700_pcie_test(vm.console())?;
    vm.console()
        .exec_command_and_wait_for_pattern("lsusb", "QEMU QEMU USB Keyboard", None)?;
    Ok(())
}

#[qemu_test]
fn aarch64_ast2700a1_evb_sdk_vbootrom_v11_03(mut vm: Machine) -> TestResult {
    vm.set_machine("ast2700a1-evb")?;
    vm.require_netdev("user")?;
    let images = vm.env().archive_extract_all(&SDK_V1103_AST2700A1)?;
    vm.args(["-device", "e1000e,netdev=net1,bus=pcie.2"]);
    vm.args(["-netdev", "user,id=net1"]);
    aspeed::start_ast2700_test_vbootrom(&mut vm, &images.join("ast2700-a1-image"), 1)?;
    aspeed::verify_vbootrom_firmware_flow(vm.console())?;
    aspeed::verify_openbmc_boot_start(vm.console(), Pcie2::Enable)
}

#[qemu_test]
fn aarch64_ast2700a1_evb_ioexp_v11_03(mut vm: Machine) -> TestResult {
    vm.set_machine("ast2700a1-evb")?;
    vm.require_netdev("user")?;
    let images = vm.env().archive_extract_all(&SDK_V1103_AST2700A1_DCSCM)?;
    vm.set_machine("ast2700a1-evb,fmc-model=w25q512jv")?;
    vm.args(["-device", "tmp105,bus=ioexp0.0,address=0x4d,id=tmp-test-16"]);
    aspeed::start_ast2700_test(&mut vm, &images.join("ast2700-a1-dcscm-image"), BL31, 8)?;
    aspeed::verify_openbmc_boot_and_login(vm.console(), "ast2700-a1-dcscm", Pcie2::AsIs)?;
    aspeed::ast2700_i2c_test(&mut vm, 8, "tmp-test-8")?;
    aspeed::ast2700_i2c_test(&mut vm, 16, "tmp-test-16")
}
