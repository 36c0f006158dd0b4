//! Port of QEMU's tests/functional/arm/test_max78000fthr.py: a firmware on the max78000fthr drives its ICC, GCR, TRNG, AES and UART.

use qemu_fixtures::prelude::*;

#[asset]
static FW: Asset = Asset::new(
    "https://github.com/JacksonDonaldson/max78000Test/raw/main/build/max78000.bin",
    "86940b4bf60931bc6a8aa5db4b9f7f3cf8f64dbbd7ac534647980e536cf3adf7",
);

#[qemu_test]
fn fthr(mut vm: Machine) -> TestResult {
    vm.set_machine("max78000fthr")?;
    let fw_path = vm.env().fetch(&FW)?;
    vm.set_console();
    vm.arg("-kernel").arg(&fw_path);
    vm.arg("-device")
        .arg(format!("loader,file={},addr=0x10000000", fw_path.display()));
    vm.launch()?;
    let console = vm.console();
    console.wait_for("started")?;
    // i: prints the instruction cache values
    console.exec_command_and_wait_for_pattern("i", "CTRL: 00010001", None)?;
    // r: the GCR resets the machine
    console.exec_command_and_wait_for_pattern("r", "started", None)?;
    // z: sets some memory, then has the GCR zero it
    console.exec_command_and_wait_for_pattern("z", "initial value: 12345678", None)?;
    console.wait_for("after memz: 00000000")?;
    // t: runs the TRNG
    console.exec_command_and_wait_for_pattern("t", "random data:", None)?;
    // a: runs the AES
    console.exec_command_and_wait_for_pattern(
        "a",
        "encrypted to : a47ca9dd e0df4c86 a070af6e 91710dec",
        None,
    )?;
    console.wait_for("encrypted to : cab7a28e bf456751 9049fcea 8960494b")?;
    Ok(())
}
