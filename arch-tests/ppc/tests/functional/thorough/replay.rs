//! Port of QEMU's tests/functional/ppc/test_replay.py: the advent calendar's invaders on g3beige and mac99, recorded and replayed.

use qemu_fixtures::prelude::*;

#[asset]
static DAY15: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day15.tar.xz",
    "03e0757c131d2959decf293a3572d3b96c5a53587165bf05ce41b2818a2bccd5",
);

fn do_day15_test(vm: &mut Machine) -> TestResult {
    vm.require_accelerator("tcg")?;
    let kernel_path = vm.env().archive_extract(&DAY15, "day15/invaders.elf")?;
    vm.run_rr_with(
        &kernel_path,
        replay::REPLAY_KERNEL_COMMAND_LINE,
        "QEMU advent calendar",
        7,
        &[&"-M", &"graphics=off"],
    )
}

#[qemu_test]
fn g3beige(mut vm: Machine) -> TestResult {
    vm.set_machine("g3beige")?;
    do_day15_test(&mut vm)
}

#[qemu_test]
fn mac99(mut vm: Machine) -> TestResult {
    vm.set_machine("mac99")?;
    do_day15_test(&mut vm)
}
