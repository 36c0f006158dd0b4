//! A bare-metal program on the ColdFire MCF5208 evaluation board prints
//! the alphabet on UART0. Assembled with Debian's binutils-m68k-linux-gnu;
//! the board loads it with -kernel.

use qemu_fixtures::guests::baremetal::{ALPHABET, Binutils, Image, assemble};
use qemu_fixtures::prelude::*;

const SOURCE: &str = r#"
    .text
    .globl _start
_start:
    lea     0x40100000, %sp      | a stack in SDRAM
    lea     0xfc060000, %a0      | UART0
    moveq   #0x05, %d1
    move.b  %d1, 0x08(%a0)       | UCR: transmitter and receiver on
    moveq   #0x0d, %d0
    bsr     putc
    moveq   #0x0a, %d0
    bsr     putc
    moveq   #0x41, %d0           | 'A'
1:  bsr     putc
    addq.l  #1, %d0
    cmpi.l  #0x5b, %d0           | one past 'Z'
    bne     1b
    moveq   #0x0d, %d0
    bsr     putc
    moveq   #0x0a, %d0
    bsr     putc
2:  bra     2b
putc:                            | wait for TXRDY (USR bit 2), then write UTB
    move.b  0x04(%a0), %d1
    andi.l  #0x04, %d1
    beq     putc
    move.b  %d0, 0x0c(%a0)
    rts
"#;

static BINUTILS: Binutils = Binutils {
    prefix: "m68k-linux-gnu-",
    package: "binutils-m68k-linux-gnu",
    as_flags: &["-mcpu=5208"],
    ld_flags: &["-Ttext=0x40000000"],
};

#[qemu_test]
fn prints_the_alphabet_on_uart0(mut vm: Machine) -> TestResult {
    vm.set_machine("mcf5208evb")?;
    let program = assemble(vm.env(), &BINUTILS, SOURCE, Image::Elf)?;
    vm.arg("-kernel").arg(&program).launch()?;
    vm.console().wait_for(ALPHABET)?;
    Ok(())
}
