//! Port of QEMU's tests/functional/sparc/test_sun4m.py: the advent calendar's day 11 kernel boots on the SPARCstation 20.

use qemu_fixtures::prelude::*;

#[asset]
static DAY11: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day11.tar.xz",
    "c776533ba756bf4dd3f1fc4c024fb50ef0d853e05c5f5ddf0900a32d1eaa49e0",
);

#[qemu_test]
fn sparc_ss20(mut vm: Machine) -> TestResult {
    vm.set_machine("SS-20")?;
    let kernel = vm.env().archive_extract(&DAY11, "day11/zImage.elf")?;
    vm.launch_kernel(&kernel, None, None, 0, Some("QEMU advent calendar"))?;
    Ok(())
}
