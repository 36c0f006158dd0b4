//! Port of QEMU's tests/functional/riscv64/test_endianness.py: a bare-metal program on virt reports the data endianness the CPU runs with.

use qemu_fixtures::prelude::*;

#[asset]
static BE_TEST: Asset = Asset::new(
    "https://github.com/MIPS/linux-test-downloads/raw/main/riscvbe-baremetal/be-test-bare-metal.elf",
    "9ad51b675e101de65908fadbac064ed1d0564c17463715d09dd734db86ea0f58",
);

/// Boots the ELF with `-bios none` (big-endian data with `big-endian=on`)
/// and waits for the endianness it prints on the UART.
fn run_bare_metal(mut vm: Machine, big_endian: bool) -> TestResult {
    vm.set_machine("virt")?;
    let kernel = vm.env().fetch(&BE_TEST)?;
    vm.args(["-bios", "none"]);
    vm.arg("-kernel").arg(&kernel);
    if big_endian {
        vm.args(["-cpu", "rv64,big-endian=on"]);
    }
    vm.set_console();
    vm.launch()?;
    let expected = if big_endian {
        "ENDIAN: BE"
    } else {
        "ENDIAN: LE"
    };
    vm.console().wait_for(expected)?;
    Ok(())
}

#[qemu_test]
fn bare_metal_littleendian(vm: Machine) -> TestResult {
    run_bare_metal(vm, false)
}

#[qemu_test]
fn bare_metal_bigendian(vm: Machine) -> TestResult {
    run_bare_metal(vm, true)
}
