//! A bare-metal program on the KC705 board prints the alphabet on its
//! 16550 UART from the reset vector. Assembled with Debian's
//! binutils-xtensa-lx106, which targets the ESP8266's core: the few
//! instructions used are in every xtensa core, QEMU's default dc232b too.

use qemu_fixtures::guests::baremetal::{ALPHABET, Binutils, Image, assemble};
use qemu_fixtures::prelude::*;

const SOURCE: &str = r#"
    .section .reset, "ax"
    .global _start
_start:                         # the reset vector: jump past the literals
    j       main
    .text
    .align  4
main:
    movi    a4, 0xfd050020      # the UART, registers 4 bytes apart
    movi    a6, 0x0d
    call0   putc
    movi    a6, 0x0a
    call0   putc
    movi    a6, 0x41            # 'A'
    movi    a7, 0x5b            # one past 'Z'
1:  call0   putc
    addi    a6, a6, 1
    bne     a6, a7, 1b
    movi    a6, 0x0d
    call0   putc
    movi    a6, 0x0a
    call0   putc
2:  j       2b
    .align  4
putc:                           # wait for THR empty (LSR bit 5), then write
    l8ui    a8, a4, 0x14
    bbci    a8, 5, putc
    s8i     a6, a4, 0
    ret
"#;

/// The reset vector of the default core, with the literal pool that
/// `l32r` reads just before the code.
const LINKER_SCRIPT: &str = "SECTIONS {
    . = 0xfe000000;
    .reset : { *(.reset) }
    .literal : { *(.literal) }
    .text : { *(.text) }
}
";

static BINUTILS: Binutils = Binutils {
    prefix: "xtensa-lx106-elf-",
    package: "binutils-xtensa-lx106",
    as_flags: &[],
    ld_flags: &["-T", "program.ld"],
};

#[qemu_test]
fn prints_the_alphabet_on_the_uart(mut vm: Machine) -> TestResult {
    vm.set_machine("kc705")?;
    let script = vm.env().scratch_file(["baremetal", "program.ld"]);
    std::fs::write(&script, LINKER_SCRIPT)
        .map_err(|err| TestError::io("writing the linker script", err))?;
    let program = assemble(vm.env(), &BINUTILS, SOURCE, Image::Elf)?;
    vm.args(["-nic", "none", "-kernel"])
        .arg(&program)
        .launch()?;
    vm.console().wait_for(ALPHABET)?;
    Ok(())
}
