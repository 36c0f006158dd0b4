//! Port of QEMU's tests/functional/arm/test_aspeed_ast2500_sdk.py: the Aspeed SDK v11.01 image boots on the AST2500 EVB to its login prompt.

use qemu_fixtures::prelude::*;

#[asset]
static SDK_V1101_AST2500: Asset = Asset::new(
    "https://github.com/AspeedTech-BMC/openbmc/releases/download/v11.01/ast2500-default-obmc.tar.gz",
    "3faa1188198da2216837be4b53861c483a58c3ad63784089720bf8421e157da1",
);

#[qemu_test]
fn arm_ast2500_evb_sdk(mut vm: Machine) -> TestResult {
    vm.set_machine("ast2500-evb")?;
    let image = vm
        .env()
        .archive_extract(&SDK_V1101_AST2500, "ast2500-default/image-bmc")?;
    aspeed::sdk_start(&mut vm, &image)?;
    vm.console().wait_for("login:")?;
    Ok(())
}
