//! A bare-metal program on the R2D board (also run by arch-sh4eb,
//! assembled big-endian there) prints the alphabet on the SH7751R's SCIF,
//! the board's second serial port. Assembled with Debian's
//! binutils-sh4-linux-gnu; the board loads it with -kernel and starts it.

use qemu_fixtures::guests::baremetal::{ALPHABET, Binutils, Image, assemble};
use qemu_fixtures::prelude::*;

const SOURCE: &str = r#"
    .text
    .globl _start
_start:
    mov.l   scif, r1            ! SCIF
    mov     #0x20, r0
    mov.w   r0, @(8, r1)        ! SCSCR2: transmitter on
    mov     #0x0d, r2
    bsr     putc
    nop
    mov     #0x0a, r2
    bsr     putc
    nop
    mov     #0x41, r2           ! 'A'
    mov     #0x5b, r3           ! one past 'Z'
1:  bsr     putc
    nop
    add     #1, r2
    cmp/eq  r3, r2
    bf      1b
    mov     #0x0d, r2
    bsr     putc
    nop
    mov     #0x0a, r2
    bsr     putc
    nop
2:  bra     2b
    nop
putc:                           ! wait for TDFE (SCFSR2 bit 5), then write SCFTDR2
    mov.w   @(16, r1), r0
    tst     #0x20, r0
    bt      putc
    mov     r2, r0
    mov.b   r0, @(12, r1)
    rts
    nop
    .align 2
scif:
    .long   0xffe80000
"#;

static LITTLE: Binutils = Binutils {
    prefix: "sh4-linux-gnu-",
    package: "binutils-sh4-linux-gnu",
    as_flags: &["-little"],
    // R2D loads a raw kernel here and starts it through P2 (uncached).
    ld_flags: &["-EL", "-Ttext=0xac800000"],
};

static BIG: Binutils = Binutils {
    as_flags: &["-big"],
    ld_flags: &["-EB", "-Ttext=0xac800000"],
    ..LITTLE
};

#[qemu_test]
fn prints_the_alphabet_on_the_scif(mut vm: Machine) -> TestResult {
    vm.set_machine("r2d")?;
    let binutils = if vm.env().id().arch == "sh4eb" {
        &BIG
    } else {
        &LITTLE
    };
    let program = assemble(vm.env(), binutils, SOURCE, Image::RawText)?;
    vm.set_console_index(1);
    vm.arg("-kernel").arg(&program).launch()?;
    vm.console().wait_for(ALPHABET)?;
    Ok(())
}
