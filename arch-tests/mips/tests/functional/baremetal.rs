//! A bare-metal program on the big-endian Malta board (also run by
//! arch-mips64, whose CPUs start it the same way): it prints the alphabet
//! on the FPGA's CBUS UART, the board's third serial port, from the reset
//! vector. Assembled with Debian's binutils-mips-linux-gnu.

use qemu_fixtures::guests::baremetal::{ALPHABET, Binutils, Image, assemble};
use qemu_fixtures::prelude::*;

const SOURCE: &str = r#"
    .set noreorder
    .text
    .globl _start
_start:
    lui   $t0, 0xbf00
    ori   $t0, $t0, 0x0900      # CBUS UART, registers 8 bytes apart (KSEG1)
    li    $t1, 0x0d
    bal   putc
    nop
    li    $t1, 0x0a
    bal   putc
    nop
    li    $t1, 0x41             # 'A'
    li    $t2, 0x5b             # one past 'Z'
next:
    bal   putc
    nop
    addiu $t1, $t1, 1
    bne   $t1, $t2, next
    nop
    li    $t1, 0x0d
    bal   putc
    nop
    li    $t1, 0x0a
    bal   putc
    nop
halt:
    b     halt
    nop
putc:                           # wait for THR empty (LSR bit 5), then write
    lbu   $t3, 0x28($t0)
    andi  $t3, $t3, 0x20
    beqz  $t3, putc
    nop
    jr    $ra
    sb    $t1, 0($t0)
"#;

static BINUTILS: Binutils = Binutils {
    prefix: "mips-linux-gnu-",
    package: "binutils-mips-linux-gnu",
    as_flags: &["-EB", "-march=mips32"],
    ld_flags: &["-EB", "-Ttext=0xbfc00000"],
};

#[qemu_test]
fn prints_the_alphabet_from_the_reset_vector(mut vm: Machine) -> TestResult {
    vm.set_machine("malta")?;
    let bios = assemble(vm.env(), &BINUTILS, SOURCE, Image::RawText)?;
    vm.set_console_index(2);
    vm.args(["-nic", "none", "-bios"]).arg(&bios).launch()?;
    vm.console().wait_for(ALPHABET)?;
    Ok(())
}
