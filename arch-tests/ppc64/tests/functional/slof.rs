//! SLOF, shipped with QEMU, on pseries: its banner, and Forth at its `0 >`
//! prompt. The cap settings are what TCG implements, which keeps QEMU's
//! warnings out of default.log.

use qemu_fixtures::prelude::*;

static SLOF: Installed = Installed::new("/usr/share/qemu/slof.bin", "qemu-system-data");

#[qemu_test]
fn forth_adds_at_the_prompt(mut vm: Machine) -> TestResult {
    vm.set_machine("pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off")?;
    vm.env().installed(&SLOF)?;
    vm.arg("-nodefaults").launch()?;
    let console = vm.console();
    console.wait_for("SLOF")?;
    console.wait_for("Welcome to Open Firmware")?;
    console.wait_for("0 > ")?;
    // SLOF redraws the line around the echo, so only its reply is matched.
    console.send("1 2 + .\r")?;
    console.wait_for(" 3  ok")?;
    Ok(())
}
