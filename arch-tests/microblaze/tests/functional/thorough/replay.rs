//! Port of QEMU's tests/functional/microblaze/test_replay.py: the advent calendar on petalogix-s3adsp1800, recorded and replayed.

use qemu_fixtures::prelude::*;

#[asset]
static DAY17: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day17.tar.xz",
    "3ba7439dfbea7af4876662c97f8e1f0cdad9231fc166e4861d17042489270057",
);

#[qemu_test]
fn microblaze_s3adsp1800(mut vm: Machine) -> TestResult {
    vm.set_machine("petalogix-s3adsp1800")?;
    let kernel_path = vm.env().archive_extract(&DAY17, "day17/ballerina.bin")?;
    vm.run_rr(
        &kernel_path,
        replay::REPLAY_KERNEL_COMMAND_LINE,
        "QEMU advent calendar",
    )
}
