//! Port of QEMU's tests/functional/arm/test_aspeed_catalina.py: OpenBMC boots on catalina-bmc to systemd setting its hostname.

use qemu_fixtures::prelude::*;

#[asset]
static FLASH: Asset = Asset::new(
    "https://github.com/legoater/qemu-aspeed-boot/raw/a866feb5ef81245b4827a214584bf6bcc72939f6/images/catalina-bmc/obmc-phosphor-image-catalina-20250619123021.static.mtd.xz",
    "287402e1ba021991e06be1d098f509444a02a3d81a73a932f66528b159e864f9",
);

#[qemu_test]
fn arm_ast2600_catalina_openbmc(mut vm: Machine) -> TestResult {
    let image_path = vm.env().uncompress(&FLASH)?;
    aspeed::OpenBmc::new("catalina-bmc")
        .uboot("2019.04")
        .cpu_id("0xf00")
        .soc("AST2600 rev A3")
        .boot(&mut vm, &image_path)
}
