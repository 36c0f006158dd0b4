//! Port of QEMU's tests/functional/arm/test_aspeed_gb200nvl_bmc.py: OpenBMC boots on gb200nvl-bmc to systemd setting its hostname.

use qemu_fixtures::prelude::*;

#[asset]
static FLASH: Asset = Asset::new(
    "https://github.com/legoater/qemu-aspeed-boot/raw/refs/heads/master/images/gb200nvl-bmc/openbmc-20250702182348/obmc-phosphor-image-gb200nvl-obmc-20250702182348.static.mtd.xz",
    "b84819317cb3dc762895ad507705978ef000bfc77c50c33a63bdd37921db0dbc",
);

#[qemu_test]
fn arm_aspeed_gb200_openbmc(mut vm: Machine) -> TestResult {
    let image_path = vm.env().uncompress(&FLASH)?;
    aspeed::OpenBmc::new("gb200nvl-bmc")
        .uboot("2019.04")
        .cpu_id("0xf00")
        .soc("AST2600 rev A3")
        .hostname("gb200nvl-obmc")
        .boot(&mut vm, &image_path)
}
