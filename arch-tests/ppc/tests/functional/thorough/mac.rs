//! Port of QEMU's tests/functional/ppc/test_mac.py: the advent calendar's day 15 kernel boots on g3beige and mac99 under TCG.

use qemu_fixtures::prelude::*;

#[asset]
static DAY15: Asset = Asset::new(
    "https://www.qemu-advent-calendar.org/2018/download/day15.tar.xz",
    "03e0757c131d2959decf293a3572d3b96c5a53587165bf05ce41b2818a2bccd5",
);

/// Upstream's `do_day15_test`.
fn do_day15_test(mut vm: Machine) -> TestResult {
    // mac99 also works with kvm_pr, but nothing tells kvm_hv from kvm_pr
    // reliably: upstream requires TCG.
    vm.require_accelerator("tcg")?;
    let kernel = vm.env().archive_extract(&DAY15, "day15/invaders.elf")?;
    vm.args(["-M", "graphics=off"]);
    vm.launch_kernel(&kernel, None, None, 0, Some("QEMU advent calendar"))?;
    Ok(())
}

#[qemu_test]
fn ppc_g3beige(mut vm: Machine) -> TestResult {
    vm.set_machine("g3beige")?;
    do_day15_test(vm)
}

#[qemu_test]
fn ppc_mac99(mut vm: Machine) -> TestResult {
    vm.set_machine("mac99")?;
    do_day15_test(vm)
}
