//! Port of QEMU's tests/functional/xtensa/test_lx60.py: the advent calendar's day 2 kernel boots on the lx60 with a dc233c CPU.

use qemu_fixtures::prelude::*;

#[asset]
static DAY02: Asset = Asset::new(
    "https://www.qemu-advent-calendar.org/2018/download/day02.tar.xz",
    "68ff07f9b3fd3df36d015eb46299ba44748e94bfbb2d5295fddc1a8d4a9fd324",
);

#[qemu_test]
fn xtensa_lx60(mut vm: Machine) -> TestResult {
    vm.set_machine("lx60")?;
    vm.args(["-cpu", "dc233c"]);
    let kernel = vm
        .env()
        .archive_extract(&DAY02, "day02/santas-sleigh-ride.elf")?;
    vm.launch_kernel(&kernel, None, None, 0, Some("QEMU advent calendar"))?;
    Ok(())
}
