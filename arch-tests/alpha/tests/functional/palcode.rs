//! The palcode QEMU ships for the clipper board: its console lists the PCI
//! devices and answers a line typed at its `>>>` prompt.

use qemu_fixtures::prelude::*;

static PALCODE: Installed = Installed::new("/usr/share/qemu/palcode-clipper", "qemu-system-data");

#[qemu_test]
fn console_answers_a_line(mut vm: Machine) -> TestResult {
    vm.set_machine("clipper")?;
    // Only its presence and hash are checked: clipper loads it by itself.
    vm.env().installed(&PALCODE)?;
    vm.launch()?;
    let console = vm.console();
    console.wait_for("PCI: 00:07:0 class 0601 id 8086:0484")?;
    console.wait_for(">>> ")?;
    console.exec_command_and_wait_for_pattern("hello palcode", "got: hello palcode", None)?;
    Ok(())
}
