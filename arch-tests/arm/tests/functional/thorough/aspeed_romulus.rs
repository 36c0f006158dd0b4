//! Port of QEMU's tests/functional/arm/test_aspeed_romulus.py: OpenBMC boots on romulus-bmc to systemd setting its hostname.

use qemu_fixtures::prelude::*;

#[asset]
static FLASH: Asset = Asset::new(
    "https://github.com/legoater/qemu-aspeed-boot/raw/master/images/romulus-bmc/openbmc-20250128071340/obmc-phosphor-image-romulus-20250128071340.static.mtd",
    "6d031376440c82ed9d087d25e9fa76aea75b42f80daa252ec402c0bc3cf6cf5b",
);

#[qemu_test]
fn arm_ast2500_romulus_openbmc(mut vm: Machine) -> TestResult {
    let image_path = vm.env().fetch(&FLASH)?;
    aspeed::OpenBmc::new("romulus-bmc")
        .uboot("2019.04")
        .cpu_id("0x0")
        .soc("AST2500 rev A1")
        .boot(&mut vm, &image_path)
}
