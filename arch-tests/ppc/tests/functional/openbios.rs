//! OpenBIOS, shipped with QEMU, on the Mac machines: its banner, and Forth
//! at its `0 >` prompt. `graphics=off` puts its console on the serial port.

use qemu_fixtures::prelude::*;

#[qemu_test]
#[case::mac99("mac99", ">> CPU type PowerPC,G4")]
#[case::g3beige("g3beige", ">> CPU type PowerPC,750")]
fn forth_adds_at_the_prompt(
    mut vm: Machine,
    #[case] machine: &str,
    #[case] cpu: &str,
) -> TestResult {
    vm.set_machine(&format!("{machine},graphics=off"))?;
    vm.args(["-nic", "none"]).launch()?;
    let console = vm.console();
    console.wait_for(">> OpenBIOS ")?;
    console.wait_for(cpu)?;
    console.wait_for("Welcome to OpenBIOS v")?;
    console.wait_for("0 > ")?;
    console.exec_command_and_wait_for_pattern("1 2 + .", " 3  ok", None)?;
    Ok(())
}
