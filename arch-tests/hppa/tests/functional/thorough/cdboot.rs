//! Port of QEMU's tests/functional/hppa/test_cdboot.py: the B160L boots HP's firmware update CD and its utility answers at its prompt.

use qemu_fixtures::prelude::*;

#[asset]
static CD: Asset = Asset::new(
    "https://github.com/philmd/qemu-testing-blob/raw/ec1b741/hppa/hp9000/712/C7120023.frm",
    "32c612ad2074516986bdc27768903c561fa92af2ca48e5ac3f3359ade1c42f70",
);

#[qemu_test]
fn cdboot(mut vm: Machine) -> TestResult {
    vm.set_machine("B160L")?;
    let cdrom = vm.env().fetch(&CD)?;
    vm.set_console();
    vm.arg("-cdrom")
        .arg(&cdrom)
        .args(["-boot", "d", "-no-reboot"]);
    vm.launch()?;
    let console = vm.console();
    console.wait_for("Unrecognized MODEL TYPE = 502")?;
    console.wait_for("UPDATE PAUSED>")?;
    console.exec_command_and_wait_for_pattern("exit\r", "UPDATE>", None)?;
    console.exec_command_and_wait_for_pattern("ls\r", "IMAGE1B", None)?;
    console.wait_for("UPDATE>")?;
    console.exec_command_and_wait_for_pattern(
        "exit\r",
        "THIS UTILITY WILL NOW RESET THE SYSTEM.....",
        None,
    )?;
    Ok(())
}
