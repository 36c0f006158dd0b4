//! Port of QEMU's tests/functional/arm/test_microbit.py: MicroPython on the microbit answers at its prompt and resets.

use qemu_fixtures::prelude::*;

#[asset]
static MICRO: Asset = Asset::new(
    "https://ozlabs.org/~joel/microbit-micropython.hex",
    "021641f93dfb11767d4978dbb3ca7f475d1b13c69e7f4aec3382f212636bffd6",
);

#[qemu_test]
fn arm_microbit(mut vm: Machine) -> TestResult {
    vm.set_machine("microbit")?;
    let micropython = vm.env().fetch(&MICRO)?;
    vm.set_console();
    vm.arg("-device")
        .arg(format!("loader,file={}", micropython.display()));
    vm.launch()?;
    let console = vm.console();
    console.wait_for("Type \"help()\" for more information.")?;
    console.exec_command_and_wait_for_pattern("import machine as mch", ">>>", None)?;
    console.exec_command_and_wait_for_pattern("mch.reset()", "MicroPython", None)?;
    console.wait_for(">>>")?;
    Ok(())
}
