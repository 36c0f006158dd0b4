//! Port of QEMU's tests/functional/or1k/test_sim.py: the advent calendar's day 20 kernel boots on the OpenRISC or1k-sim.

use qemu_fixtures::prelude::*;

#[asset]
static DAY20: Asset = Asset::new(
    "https://www.qemu-advent-calendar.org/2018/download/day20.tar.xz",
    "ff9d7dd7c6bdba325bd85ee85c02db61ff653e129558aeffe6aff55bffb6763a",
);

#[qemu_test]
fn or1k_sim(mut vm: Machine) -> TestResult {
    vm.set_machine("or1k-sim")?;
    let kernel = vm.env().archive_extract(&DAY20, "day20/vmlinux")?;
    vm.set_console();
    vm.arg("-kernel").arg(&kernel);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "QEMU advent calendar")?;
    Ok(())
}
