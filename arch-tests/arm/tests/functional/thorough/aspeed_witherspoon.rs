//! Port of QEMU's tests/functional/arm/test_aspeed_witherspoon.py: OpenBMC boots on witherspoon-bmc to systemd setting its hostname.

use qemu_fixtures::prelude::*;

#[asset]
static FLASH: Asset = Asset::new(
    "https://github.com/legoater/qemu-aspeed-boot/raw/master/images/witherspoon-bmc/openbmc-20240618035022/obmc-phosphor-image-witherspoon-20240618035022.ubi.mtd",
    "937d9ed449ea6c6cbed983519088a42d0cafe276bcfe4fce07772ca6673f9213",
);

#[qemu_test]
fn arm_ast2500_witherspoon_openbmc(mut vm: Machine) -> TestResult {
    let image_path = vm.env().fetch(&FLASH)?;
    aspeed::OpenBmc::new("witherspoon-bmc")
        .uboot("2016.07")
        .cpu_id("0x0")
        .soc("AST2500 rev A1")
        .boot(&mut vm, &image_path)
}
