//! OpenBIOS, shipped with QEMU, on sun4u: its banner, and Forth at its
//! `0 >` prompt, on the serial port (`graphics=off`).

use qemu_fixtures::prelude::*;

#[qemu_test]
fn forth_adds_at_the_prompt(mut vm: Machine) -> TestResult {
    vm.set_machine("sun4u,graphics=off")?;
    vm.args(["-nic", "none"]).launch()?;
    let console = vm.console();
    console.wait_for("OpenBIOS for Sparc64")?;
    console.wait_for("CPUs: 1 x SUNW,UltraSPARC-IIi")?;
    console.wait_for("0 > ")?;
    console.exec_command_and_wait_for_pattern("1 2 + .", " 3  ok", None)?;
    Ok(())
}
