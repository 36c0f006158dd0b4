//! Port of QEMU's tests/functional/mips64el/test_loongson3v.py: the PMON firmware on loongson3-virt reaches its CPU banner on the serial console.

use qemu_fixtures::prelude::*;

#[asset]
static PMON: Asset = Asset::new(
    "https://github.com/loongson-community/pmon/releases/download/20210112/pmon-3avirt.bin",
    "fcdf6bb2cb7885a4a62f31fcb0d5e368bac7b6cea28f40c6dfa678af22fea20a",
);

#[qemu_test]
fn pmon_serial_console(mut vm: Machine) -> TestResult {
    skip::untrusted()?;
    vm.set_machine("loongson3-virt")?;
    let pmon = vm.env().fetch(&PMON)?;
    vm.set_console();
    vm.arg("-bios").arg(&pmon);
    vm.launch()?;
    vm.console().wait_for("CPU GODSON3 BogoMIPS:")?;
    Ok(())
}
