//! Port of QEMU's tests/functional/avr/test_uno.py: an LED blink program on the Arduino Uno keeps printing `LED Blink`.

use qemu_fixtures::prelude::*;

#[asset]
static UNO: Asset = Asset::new(
    "https://github.com/RahulRNandan/LED_Blink_AVR/raw/c6d602cbb974a193/build/main.elf",
    "3009a4e2cf5c5b65142f538abdf66d4dc6bc6beab7e552fff9ae314583761b72",
);

#[qemu_test]
fn uno(mut vm: Machine) -> TestResult {
    vm.set_machine("arduino-uno")?;
    let rom = vm.env().fetch(&UNO)?;
    vm.arg("-bios").arg(&rom);
    vm.set_console();
    vm.launch()?;
    vm.console().wait_for("LED Blink")?;
    Ok(())
}
