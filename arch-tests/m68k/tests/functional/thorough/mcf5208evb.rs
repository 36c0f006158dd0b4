//! Port of QEMU's tests/functional/m68k/test_mcf5208evb.py: the advent calendar's day 7 kernel boots on the MCF5208EVB.

use qemu_fixtures::prelude::*;

#[asset]
static DAY07: Asset = Asset::new(
    "https://www.qemu-advent-calendar.org/2018/download/day07.tar.xz",
    "753c2f3837126b7c6ba92d0b1e0b156e8a2c5131d2d576bb0b9a763fae73c08a",
);

#[qemu_test]
fn m68k_mcf5208evb(mut vm: Machine) -> TestResult {
    vm.set_machine("mcf5208evb")?;
    let kernel = vm
        .env()
        .archive_extract(&DAY07, "day07/sanity-clause.elf")?;
    vm.set_console();
    vm.arg("-kernel").arg(&kernel);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "QEMU advent calendar")?;
    Ok(())
}
