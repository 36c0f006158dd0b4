//! A bare-metal program on the or1k-sim board prints the alphabet on its
//! 16550 UART. Assembled with Debian's binutils-or1k-elf; the board loads
//! the ELF with -kernel.

use qemu_fixtures::guests::baremetal::{ALPHABET, Binutils, Image, assemble};
use qemu_fixtures::prelude::*;

const SOURCE: &str = r#"
    .section .text
    .global _start
_start:
    l.movhi r3, 0x9000          # the UART
    l.ori   r4, r0, 0x0d
    l.jal   putc
    l.nop
    l.ori   r4, r0, 0x0a
    l.jal   putc
    l.nop
    l.ori   r4, r0, 0x41        # 'A'
    l.ori   r5, r0, 0x5b        # one past 'Z'
1:  l.jal   putc
    l.nop
    l.addi  r4, r4, 1
    l.sfne  r4, r5
    l.bf    1b
    l.nop
    l.ori   r4, r0, 0x0d
    l.jal   putc
    l.nop
    l.ori   r4, r0, 0x0a
    l.jal   putc
    l.nop
2:  l.j     2b
    l.nop
putc:                           # wait for THR empty (LSR bit 5), then write
    l.lbz   r6, 5(r3)
    l.andi  r6, r6, 0x20
    l.sfeqi r6, 0
    l.bf    putc
    l.nop
    l.jr    r9
    l.sb    0(r3), r4
"#;

static BINUTILS: Binutils = Binutils {
    prefix: "or1k-elf-",
    package: "binutils-or1k-elf",
    as_flags: &[],
    ld_flags: &["-Ttext=0x2000"],
};

#[qemu_test]
fn prints_the_alphabet_on_the_uart(mut vm: Machine) -> TestResult {
    vm.set_machine("or1k-sim")?;
    let program = assemble(vm.env(), &BINUTILS, SOURCE, Image::Elf)?;
    vm.arg("-kernel").arg(&program).launch()?;
    vm.console().wait_for(ALPHABET)?;
    Ok(())
}
