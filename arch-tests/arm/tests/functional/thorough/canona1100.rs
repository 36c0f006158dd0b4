//! Canon PowerShot A1100: barebox boots from the QEMU advent calendar
//! image (QEMU's tests/functional/arm/test_canona1100.py).

use qemu_fixtures::prelude::*;

#[asset]
static DAY18: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day18.tar.xz",
    "28e71874ce985be66b7fd1345ed88cb2523b982f899c8d2900d6353054a1be49",
);

#[qemu_test]
fn arm_canona1100(mut vm: Machine) -> TestResult {
    vm.set_machine("canon-a1100")?;
    let bios = vm
        .env()
        .archive_extract(&DAY18, "day18/barebox.canon-a1100.bin")?;
    vm.set_console();
    vm.arg("-bios").arg(&bios).launch()?;
    vm.console().wait_for("running /env/bin/init")?;
    Ok(())
}
