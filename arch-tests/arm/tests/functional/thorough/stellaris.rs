//! Port of QEMU's tests/functional/arm/test_stellaris.py: the serial consoles of the lm3s6965evb and lm3s811evb Stellaris boards.

use qemu_fixtures::prelude::*;

#[asset]
static DAY22: Asset = Asset::new(
    "https://www.qemu-advent-calendar.org/2023/download/day22.tar.gz",
    "ae3a63ef4b7a22c21bfc7fc0d85e402fe95e223308ed23ac854405016431ff51",
);

#[qemu_test]
fn lm3s6965evb(mut vm: Machine) -> TestResult {
    vm.set_machine("lm3s6965evb")?;
    let kernel_path = vm.env().archive_extract(&DAY22, "day22/day22.bin")?;
    vm.set_console();
    vm.arg("-kernel").arg(&kernel_path);
    vm.launch()?;
    vm.console().wait_for("In a one horse open")?;
    Ok(())
}

#[asset]
static NOTMAIN: Asset = Asset::new(
    "https://github.com/Ahelion/QemuArmM4FDemoSw/raw/master/build/notmain.bin",
    "6ceda031aa081a420fca2fca9e137fa681d6e3820d820ad1917736cb265e611a",
);

#[qemu_test]
fn lm3s811evb(mut vm: Machine) -> TestResult {
    vm.set_machine("lm3s811evb")?;
    let kernel_path = vm.env().fetch(&NOTMAIN)?;
    vm.set_console();
    vm.args(["-cpu", "cortex-m4"]);
    vm.arg("-kernel").arg(&kernel_path);
    vm.launch()?;
    // The test kernel emits an initial '!' and then waits for input; for
    // each character sent it answers with a certain other ASCII character.
    let console = vm.console();
    console.wait_for("!")?;
    console.exec_command_and_wait_for_pattern("789", "cdf", None)?;
    Ok(())
}
