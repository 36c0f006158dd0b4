//! Port of QEMU's tests/functional/sparc/test_replay.py: the advent calendar on SS-10, recorded and replayed.

use qemu_fixtures::prelude::*;

#[asset]
static DAY11: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day11.tar.xz",
    "c776533ba756bf4dd3f1fc4c024fb50ef0d853e05c5f5ddf0900a32d1eaa49e0",
);

#[qemu_test]
fn replay(mut vm: Machine) -> TestResult {
    vm.set_machine("SS-10")?;
    let kernel_path = vm.env().archive_extract(&DAY11, "day11/zImage.elf")?;
    vm.run_rr(
        &kernel_path,
        replay::REPLAY_KERNEL_COMMAND_LINE,
        "QEMU advent calendar",
    )
}
