//! Port of QEMU's tests/functional/xtensa/test_replay.py: the advent calendar on lx60 with a dc233c CPU, recorded and replayed.

use qemu_fixtures::prelude::*;

#[asset]
static DAY02: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day02.tar.xz",
    "68ff07f9b3fd3df36d015eb46299ba44748e94bfbb2d5295fddc1a8d4a9fd324",
);

#[qemu_test]
fn replay(mut vm: Machine) -> TestResult {
    vm.set_machine("lx60")?;
    vm.args(["-cpu", "dc233c"]);
    let kernel_path = vm
        .env()
        .archive_extract(&DAY02, "day02/santas-sleigh-ride.elf")?;
    vm.run_rr(
        &kernel_path,
        replay::REPLAY_KERNEL_COMMAND_LINE,
        "QEMU advent calendar",
    )
}
