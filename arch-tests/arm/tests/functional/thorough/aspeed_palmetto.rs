//! Port of QEMU's tests/functional/arm/test_aspeed_palmetto.py: OpenBMC boots on palmetto-bmc to systemd setting its hostname.

use qemu_fixtures::prelude::*;

#[asset]
static FLASH: Asset = Asset::new(
    "https://github.com/legoater/qemu-aspeed-boot/raw/master/images/palmetto-bmc/openbmc-20250128071432/obmc-phosphor-image-palmetto-20250128071432.static.mtd",
    "bce7c392eec75c707a91cfc8fad7ca9a69d7e4f10df936930d65c1cb9897ac81",
);

#[qemu_test]
fn arm_ast2400_palmetto_openbmc(mut vm: Machine) -> TestResult {
    let image_path = vm.env().fetch(&FLASH)?;
    aspeed::OpenBmc::new("palmetto-bmc")
        .uboot("2019.04")
        .cpu_id("0x0")
        .soc("AST2400 rev A1")
        .boot(&mut vm, &image_path)
}
