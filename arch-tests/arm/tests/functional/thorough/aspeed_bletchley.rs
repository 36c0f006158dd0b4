//! Port of QEMU's tests/functional/arm/test_aspeed_bletchley.py: OpenBMC boots on bletchley-bmc to systemd setting its hostname.

use qemu_fixtures::prelude::*;

#[asset]
static FLASH: Asset = Asset::new(
    "https://github.com/legoater/qemu-aspeed-boot/raw/master/images/bletchley-bmc/openbmc-20250128071329/obmc-phosphor-image-bletchley-20250128071329.static.mtd.xz",
    "db21d04d47d7bb2a276f59d308614b4dfb70b9c7c81facbbca40a3977a2d8844",
);

#[qemu_test]
fn arm_ast2600_bletchley_openbmc(mut vm: Machine) -> TestResult {
    let image_path = vm.env().uncompress(&FLASH)?;
    aspeed::OpenBmc::new("bletchley-bmc")
        .uboot("2019.04")
        .cpu_id("0xf00")
        .soc("AST2600 rev A3")
        .boot(&mut vm, &image_path)
}
