//! A bare-metal program on the Arduino Uno's ATmega328P prints the
//! alphabet on USART0. Assembled with Debian's binutils-avr; the board
//! takes it as its flash image.

use qemu_fixtures::guests::baremetal::{ALPHABET, Binutils, Image, assemble};
use qemu_fixtures::prelude::*;

const SOURCE: &str = r#"
    .text
    .global _start
_start:
    ldi     r16, 0x08           ; the stack at the top of RAM, 0x08ff
    out     0x3e, r16
    ldi     r16, 0xff
    out     0x3d, r16
    ldi     r16, 0x08           ; UCSR0B: transmitter on
    sts     0xc1, r16
    ldi     r17, 0x0d
    rcall   putc
    ldi     r17, 0x0a
    rcall   putc
    ldi     r17, 0x41           ; 'A'
1:  rcall   putc
    inc     r17
    cpi     r17, 0x5b           ; one past 'Z'
    brne    1b
    ldi     r17, 0x0d
    rcall   putc
    ldi     r17, 0x0a
    rcall   putc
2:  rjmp    2b
putc:                           ; wait for UDRE0 (UCSR0A bit 5), then write UDR0
    lds     r18, 0xc0
    sbrs    r18, 5
    rjmp    putc
    sts     0xc6, r17
    ret
"#;

static BINUTILS: Binutils = Binutils {
    prefix: "avr-",
    package: "binutils-avr",
    as_flags: &["-mmcu=atmega328p"],
    ld_flags: &["-m", "avr5"],
};

#[qemu_test]
fn prints_the_alphabet_on_usart0(mut vm: Machine) -> TestResult {
    vm.set_machine("arduino-uno")?;
    let flash = assemble(vm.env(), &BINUTILS, SOURCE, Image::RawText)?;
    vm.arg("-bios").arg(&flash).launch()?;
    vm.console().wait_for(ALPHABET)?;
    Ok(())
}
