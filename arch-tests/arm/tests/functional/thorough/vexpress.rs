//! Port of QEMU's tests/functional/arm/test_vexpress.py: a Linux kernel from the advent calendar boots on vexpress-a9.

use qemu_fixtures::prelude::*;

#[asset]
static DAY16: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day16.tar.xz",
    "63311adb2d4c4e7a73214a86d29988add87266a909719c56acfadd026b4110a7",
);

#[qemu_test]
fn arm_vexpressa9(mut vm: Machine) -> TestResult {
    vm.set_machine("vexpress-a9")?;
    let kernel = vm.env().archive_extract(&DAY16, "day16/winter.zImage")?;
    let dtb = vm
        .env()
        .archive_extract(&DAY16, "day16/vexpress-v2p-ca9.dtb")?;
    vm.launch_kernel(&kernel, None, Some(&dtb), 0, Some("QEMU advent calendar"))?;
    Ok(())
}
