//! Port of QEMU's tests/functional/or1k/test_replay.py: the advent calendar on or1k-sim, recorded and replayed.

use qemu_fixtures::prelude::*;

#[asset]
static DAY20: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day20.tar.xz",
    "ff9d7dd7c6bdba325bd85ee85c02db61ff653e129558aeffe6aff55bffb6763a",
);

#[qemu_test]
fn sim(mut vm: Machine) -> TestResult {
    vm.set_machine("or1k-sim")?;
    let kernel_path = vm.env().archive_extract(&DAY20, "day20/vmlinux")?;
    vm.run_rr(
        &kernel_path,
        replay::REPLAY_KERNEL_COMMAND_LINE,
        "QEMU advent calendar",
    )
}
