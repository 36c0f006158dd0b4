//! Port of QEMU's tests/functional/avr/test_mega2560.py: a FreeRTOS demo on the Arduino Mega 2560 keeps printing the alphabet.

use qemu_fixtures::prelude::*;

#[asset]
static ROM: Asset = Asset::new(
    "https://github.com/seharris/qemu-avr-tests/raw/36c3e67b8755dcf/free-rtos/Demo/AVR_ATMega2560_GCC/demo.elf",
    "ee4833bd65fc69e84a79ed1c608affddbd499a60e63acf87d9113618401904e4",
);

/// The demo constantly prints `ABCDEFGHIJKLMNOPQRSTUVWX`.
#[qemu_test]
fn freertos(mut vm: Machine) -> TestResult {
    let rom = vm.env().fetch(&ROM)?;
    vm.set_machine("arduino-mega-2560-v3")?;
    vm.arg("-bios").arg(&rom);
    vm.arg("-nographic");
    vm.set_console();
    vm.launch()?;
    vm.console()
        .wait_for("XABCDEFGHIJKLMNOPQRSTUVWXABCDEFGHIJKLMNOPQRSTUVWXA")?;
    Ok(())
}
