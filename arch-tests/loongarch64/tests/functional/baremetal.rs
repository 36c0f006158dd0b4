//! A bare-metal program on the LoongArch virt board prints the alphabet
//! on its 16550 UART, as the board's flash image, running from the reset
//! address in direct-address mode. Debian bookworm has no LoongArch
//! assembler, so the program is encoded here.

use qemu_fixtures::guests::baremetal::{ALPHABET, write_encoded};
use qemu_fixtures::prelude::*;

const fn lu12i_w(rd: u32, si20: u32) -> u32 {
    (0b000_1010 << 25) | ((si20 & 0xf_ffff) << 5) | rd
}
/// The 2R-I12 format: a 10-bit opcode, a 12-bit immediate, rj, rd.
const fn i12(opcode: u32, rd: u32, rj: u32, imm: i32) -> u32 {
    (opcode << 22) | ((imm as u32 & 0xfff) << 10) | (rj << 5) | rd
}
const fn ori(rd: u32, rj: u32, imm: i32) -> u32 {
    i12(0b00_0000_1110, rd, rj, imm)
}
const fn addi_w(rd: u32, rj: u32, imm: i32) -> u32 {
    i12(0b00_0000_1010, rd, rj, imm)
}
const fn andi(rd: u32, rj: u32, imm: i32) -> u32 {
    i12(0b00_0000_1101, rd, rj, imm)
}
const fn st_b(rd: u32, rj: u32, imm: i32) -> u32 {
    i12(0b00_1010_0100, rd, rj, imm)
}
const fn ld_bu(rd: u32, rj: u32, imm: i32) -> u32 {
    i12(0b00_1010_1000, rd, rj, imm)
}
/// Branch offsets count instructions.
const fn beqz(rj: u32, offset: i32) -> u32 {
    let o = (offset as u32) & 0x1f_ffff;
    (0b01_0000 << 26) | ((o & 0xffff) << 10) | (rj << 5) | (o >> 16)
}
const fn bne(rj: u32, rd: u32, offset: i32) -> u32 {
    (0b01_0111 << 26) | (((offset as u32) & 0xffff) << 10) | (rj << 5) | rd
}
const fn b(offset: i32) -> u32 {
    let o = (offset as u32) & 0x3ff_ffff;
    (0b01_0100 << 26) | ((o & 0xffff) << 10) | (o >> 16)
}

const UART: u32 = 12;
const CHAR: u32 = 13;
const END: u32 = 14;
const TMP: u32 = 15;

/// Waits for THR empty (LSR bit 5), then writes CHAR: four instructions.
const fn putc() -> [u32; 4] {
    [
        ld_bu(TMP, UART, 5),
        andi(TMP, TMP, 0x20),
        beqz(TMP, -2),
        st_b(CHAR, UART, 0),
    ]
}

fn program() -> Vec<u32> {
    let mut words = vec![lu12i_w(UART, 0x1fe00), ori(UART, UART, 0x1e0)];
    for c in [0x0d, 0x0a] {
        words.push(addi_w(CHAR, 0, c));
        words.extend(putc());
    }
    words.extend([addi_w(CHAR, 0, 0x41), addi_w(END, 0, 0x5b)]); // 'A', one past 'Z'
    words.extend(putc()); // the loop: five instructions back from its bne
    words.extend([addi_w(CHAR, CHAR, 1), bne(CHAR, END, -5)]);
    for c in [0x0d, 0x0a] {
        words.push(addi_w(CHAR, 0, c));
        words.extend(putc());
    }
    words.push(b(0)); // halt
    words
}

#[qemu_test]
fn prints_the_alphabet_from_flash(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    let flash = write_encoded(vm.env(), &program(), false)?;
    vm.arg("-bios").arg(&flash).launch()?;
    vm.console().wait_for(ALPHABET)?;
    Ok(())
}
