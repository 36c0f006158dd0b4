//! Port of QEMU's tests/functional/aarch64/test_aspeed_ast2700a2.py: the Aspeed SDK v11.01 on the AST2700 A2 EVB boots from loaded images or the vbootrom, drives I2C and PCIe, and an I2C I/O expander.

use aspeed::Pcie2;
use qemu_fixtures::prelude::*;

#[asset]
static SDK_V1101_AST2700A2: Asset = Asset::new(
    "https://github.com/AspeedTech-BMC/openbmc/releases/download/v11.01/ast2700-default-image.tar.gz",
    "ce89dcd995cf284d41a6a4bd17a1b97d59939f0277bfe54fdaaf30e741ce7487",
);

#[asset]
static SDK_V1101_AST2700A2_DCSCM: Asset = Asset::new(
    "https://github.com/AspeedTech-BMC/openbmc/releases/download/v11.01/ast2700-dcscm-image.tar.gz",
    "b92ece9ca733dfd7a20193a12582f743b77f1898116b6d6f1abe57ac8db01c56",
);

const BL31: &[&str] = &["bl31.bin"];

#[qemu_test]
fn aarch64_ast2700a2_evb_sdk_v11_01(mut vm: Machine) -> TestResult {
    vm.set_machine("ast2700a2-evb")?;
    vm.require_netdev("user")?;
    let images = vm.env().archive_extract_all(&SDK_V1101_AST2700A2)?;
    vm.args(["-device", "e1000e,netdev=net1,bus=pcie.2"]);
    vm.args(["-netdev", "user,id=net1"]);
    aspeed::start_ast2700_test(&mut vm, &images.join("ast2700-default-image"), BL31, 1)?;
    aspeed::verify_openbmc_boot_and_login(vm.console(), "ast2700-default", Pcie2::Enable)?;
    aspeed::ast2700_i2c_test(&mut vm, 1, "tmp-test-1")?;
    aspeed::ast2700_pcie_test(vm.console())
}

#[qemu_test]
fn aarch64_ast2700a2_evb_sdk_vbootrom_v11_01(mut vm: Machine) -> TestResult {
    vm.set_machine("ast2700a2-evb")?;
    vm.require_netdev("user")?;
    let images = vm.env().archive_extract_all(&SDK_V1101_AST2700A2)?;
    vm.args(["-device", "e1000e,netdev=net1,bus=pcie.2"]);
    vm.args(["-netdev", "user,id=net1"]);
    aspeed::start_ast2700_test_vbootrom(&mut vm, &images.join("ast2700-default-image"), 1)?;
    aspeed::verify_vbootrom_firmware_flow(vm.console())?;
    aspeed::verify_openbmc_boot_start(vm.console(), Pcie2::Enable)
}

#[qemu_test]
fn aarch64_ast2700a2_evb_ioexp_v11_01(mut vm: Machine) -> TestResult {
    vm.set_machine("ast2700a2-evb")?;
    vm.require_netdev("user")?;
    let images = vm.env().archive_extract_all(&SDK_V1101_AST2700A2_DCSCM)?;
    vm.set_machine("ast2700a2-evb,fmc-model=w25q512jv")?;
    vm.args(["-device", "tmp105,bus=ioexp0.0,address=0x4d,id=tmp-test-16"]);
    aspeed::start_ast2700_test(&mut vm, &images.join("ast2700-dcscm-image"), BL31, 8)?;
    aspeed::verify_openbmc_boot_and_login(vm.console(), "ast2700-dcscm", Pcie2::AsIs)?;
    aspeed::ast2700_i2c_test(&mut vm, 8, "tmp-test-8")?;
    aspeed::ast2700_i2c_test(&mut vm, 16, "tmp-test-16")
}
