//! A bare-metal program on the PetaLogix S3ADSP1800 board (also run by
//! arch-microblazeel, in little-endian words there) prints the alphabet on
//! its UART Lite. Debian has no MicroBlaze assembler, so the program is
//! encoded here, one instruction a line; the board loads the raw image
//! with -kernel and starts it.

use qemu_fixtures::guests::baremetal::{ALPHABET, write_encoded};
use qemu_fixtures::prelude::*;

/// A type B instruction: opcode, rD, rA, 16-bit immediate.
const fn b(opcode: u32, rd: u32, ra: u32, imm: i32) -> u32 {
    (opcode << 26) | (rd << 21) | (ra << 16) | (imm as u32 & 0xffff)
}
const IMM: u32 = 0x2c;
const ADDIK: u32 = 0x0c;
const RSUBIK: u32 = 0x0d;
const SBI: u32 = 0x3c;
const BRI: u32 = 0x2e;
/// Branch immediate on a condition; rD holds the condition, 1 is "not equal".
const BCCI: u32 = 0x2f;
const NE: u32 = 1;

/// r5 is the UART Lite (0x84000000, transmit FIFO at +4), r3 the letter.
const PROGRAM: [u32; 16] = [
    b(IMM, 0, 0, 0x8400),
    b(ADDIK, 5, 0, 0),
    b(ADDIK, 3, 0, 0x0d),
    b(SBI, 3, 5, 4),
    b(ADDIK, 3, 0, 0x0a),
    b(SBI, 3, 5, 4),
    b(ADDIK, 3, 0, 0x41), // 'A'
    b(SBI, 3, 5, 4),      // 0x1c: the loop
    b(ADDIK, 3, 3, 1),
    b(RSUBIK, 4, 3, 0x5b), // r4 = one past 'Z' - r3
    b(BCCI, NE, 4, -12),   // back to 0x1c while r4 != 0
    b(ADDIK, 3, 0, 0x0d),
    b(SBI, 3, 5, 4),
    b(ADDIK, 3, 0, 0x0a),
    b(SBI, 3, 5, 4),
    b(BRI, 0, 0, 0), // halt: branch to itself
];

#[qemu_test]
fn prints_the_alphabet_on_the_uart_lite(mut vm: Machine) -> TestResult {
    vm.set_machine("petalogix-s3adsp1800")?;
    let big_endian = vm.env().id().arch == "microblaze";
    let program = write_encoded(vm.env(), &PROGRAM, big_endian)?;
    vm.arg("-kernel").arg(&program).launch()?;
    vm.console().wait_for(ALPHABET)?;
    Ok(())
}
