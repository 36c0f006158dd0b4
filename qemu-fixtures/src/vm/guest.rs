//! Tiny guest programs the framework builds itself, for probes and for its
//! own tests: x86 BIOS images that print a message on COM1, in real mode
//! (then halting, looping, or exiting QEMU through `isa-debug-exit`) or
//! after switching to protected mode; an AArch64 image that prints on the
//! `virt` machine's PL011.

/// What the guest does after printing its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Halts; QEMU keeps running.
    Halt,
    /// Prints the message again, forever.
    Repeat,
    /// Writes `code` to the `isa-debug-exit` port 0xf4, so QEMU exits with
    /// status `code * 2 + 1` (start QEMU with
    /// `-device isa-debug-exit,iobase=0xf4,iosize=0x04`).
    Exit(u8),
    /// Reads COM1 until `enters` carriage returns arrived (the commands a
    /// test types, each ending in `\r`), then exits as `Exit(status)`: as
    /// a real guest, it cannot end before the test typed its last
    /// command, however late a loaded host lets the test type it.
    ExitAfterEnters { enters: u8, status: u8 },
}

/// A 64 KiB image for `-bios` on the x86 `pc` machine. The message must
/// hold no NUL and fit in 48 KiB.
pub fn x86_serial_rom(message: &[u8], then: Then) -> Vec<u8> {
    assert!(!message.contains(&0), "the message ends at its first NUL");
    assert!(message.len() <= 48 * 1024, "the message must fit in 48 KiB");
    let mut rom = vec![0xf4u8; 64 * 1024]; // hlt everywhere else
    // Code at f000:ff00, the message at f000:0000.
    #[rustfmt::skip]
    let mut code: Vec<u8> = vec![
        0xba, 0xf8, 0x03,       // start: mov dx, 0x3f8
        0x31, 0xf6,             // xor si, si
        0x2e, 0xac,             // next: lodsb cs:[si]
        0x84, 0xc0,             // test al, al
        0x74, 0x10,             // jz done
        0x88, 0xc4,             // mov ah, al
        // Wait for THRE as a driver does: QEMU's UART overwrites a
        // byte the chardev has not yet taken, so not waiting loses output.
        0xb2, 0xfd,             // mov dl, 0xfd (LSR)
        0xec,                   // wait: in al, dx
        0xa8, 0x20,             // test al, 0x20 (THRE)
        0x74, 0xfb,             // jz wait
        0x88, 0xe0,             // mov al, ah
        0xb2, 0xf8,             // mov dl, 0xf8 (THR)
        0xee,                   // out dx, al
        0xeb, 0xea,             // jmp next
    ];
    match then {
        Then::Halt => code.extend([0xf4, 0xeb, 0xfd]), // done: hlt; jmp done
        Then::Repeat => code.extend([0xeb, 0xe3]),     // done: jmp start
        Then::Exit(status) => code.extend([
            0xb0, status, // done: mov al, status
            0xe6, 0xf4, //       out 0xf4, al
            0xf4, 0xeb, 0xfd, // hlt; jmp $-1
        ]),
        Then::ExitAfterEnters { enters, status } => {
            assert!(enters > 0, "the guest waits for at least one Enter");
            #[rustfmt::skip]
            let wait = [
                0xb1, enters,       // done: mov cl, enters
                0xba, 0xfd, 0x03,   // mov dx, 0x3fd (LSR)
                0xec,               // poll: in al, dx
                0xa8, 0x01,         // test al, 1 (data ready)
                0x74, 0xfb,         // jz poll
                0xb2, 0xf8,         // mov dl, 0xf8 (RBR)
                0xec,               // in al, dx
                0xb2, 0xfd,         // mov dl, 0xfd (LSR)
                0x3c, 0x0d,         // cmp al, '\r'
                0x75, 0xf2,         // jne poll
                0xfe, 0xc9,         // dec cl
                0x75, 0xee,         // jnz poll
                0xb0, status,       // mov al, status
                0xe6, 0xf4,         // out 0xf4, al
                0xf4, 0xeb, 0xfd,   // hlt; jmp $-1
            ];
            code.extend(wait);
        }
    }
    rom[0xff00..0xff00 + code.len()].copy_from_slice(&code);
    rom[..message.len()].copy_from_slice(message);
    rom[message.len()] = 0;
    // Reset vector: jmp far f000:ff00.
    rom[0xfff0..0xfff5].copy_from_slice(&[0xea, 0x00, 0xff, 0x00, 0xf0]);
    rom
}

/// A 64 KiB image for `-bios` on the x86 `pc` machine that switches to
/// 32-bit protected mode, as every kernel does early, and only then prints
/// `message` on COM1 and halts. The message must hold no NUL and fit in
/// 48 KiB.
pub fn x86_protected_mode_rom(message: &[u8]) -> Vec<u8> {
    assert!(!message.contains(&0), "the message ends at its first NUL");
    assert!(message.len() <= 48 * 1024, "the message must fit in 48 KiB");
    let mut rom = vec![0xf4u8; 64 * 1024];
    rom[..message.len()].copy_from_slice(message);
    rom[message.len()] = 0;
    // A flat GDT at f000:fe00: null, code 0x08, data 0x10; its descriptor
    // at fe18 points at physical 0xffe00.
    #[rustfmt::skip]
    let gdt: [u8; 30] = [
        0, 0, 0, 0, 0, 0, 0, 0,
        0xff, 0xff, 0, 0, 0, 0x9a, 0xcf, 0,
        0xff, 0xff, 0, 0, 0, 0x92, 0xcf, 0,
        0x17, 0x00, 0x00, 0xfe, 0x0f, 0x00,
    ];
    rom[0xfe00..0xfe00 + gdt.len()].copy_from_slice(&gdt);
    #[rustfmt::skip]
    let real: [u8; 24] = [
        0xfa,                                     // cli
        0x2e, 0x66, 0x0f, 0x01, 0x16, 0x18, 0xfe, // lgdtl cs:[0xfe18]
        0x0f, 0x20, 0xc0,                         // mov eax, cr0
        0x0c, 0x01,                               // or al, 1 (PE)
        0x0f, 0x22, 0xc0,                         // mov cr0, eax
        0x66, 0xea, 0x40, 0xff, 0x0f, 0x00, 0x08, 0x00, // ljmp 0x08:0xfff40
    ];
    rom[0xff00..0xff00 + real.len()].copy_from_slice(&real);
    #[rustfmt::skip]
    let protected: [u8; 26] = [
        0x66, 0xb8, 0x10, 0x00,       // mov ax, 0x10
        0x8e, 0xd8,                   // mov ds, ax
        0x66, 0xba, 0xf8, 0x03,       // mov dx, 0x3f8
        0xbe, 0x00, 0x00, 0x0f, 0x00, // mov esi, 0xf0000 (the message)
        0xac,                         // next: lodsb
        0x84, 0xc0,                   // test al, al
        0x74, 0x03,                   // jz done
        0xee,                         // out dx, al
        0xeb, 0xf8,                   // jmp next
        0xf4,                         // done: hlt
        0xeb, 0xfd,                   // jmp done
    ];
    rom[0xff40..0xff40 + protected.len()].copy_from_slice(&protected);
    rom[0xfff0..0xfff5].copy_from_slice(&[0xea, 0x00, 0xff, 0x00, 0xf0]);
    rom
}

/// An image for `-bios` on the Arm `virt` machine (`qemu-system-aarch64`):
/// runs in AArch64 at whatever EL it starts in, as KVM or TCG starts it,
/// enables the PL011 at 0x0900_0000, prints `message` there and waits for
/// interrupts forever. The message must hold no NUL.
pub fn aarch64_virt_rom(message: &[u8]) -> Vec<u8> {
    assert!(!message.contains(&0), "the message ends at its first NUL");
    // Assembled with llvm-mc; `msg` is the byte right after the code.
    #[rustfmt::skip]
    let code: [u32; 10] = [
        0xd2a1_2001, // mov  x1, #0x09000000 (the PL011)
        0x5280_6024, // mov  w4, #0x301 (UARTEN | TXE | RXE)
        0xb900_3024, // str  w4, [x1, #0x30] (UARTCR)
        0x1000_00e2, // adr  x2, msg
        0x3840_1443, // next: ldrb w3, [x2], #1
        0x3400_0063, // cbz  w3, done
        0x3900_0023, // strb w3, [x1] (UARTDR)
        0x17ff_fffd, // b    next
        0xd503_207f, // done: wfi
        0x17ff_ffff, // b    done
    ];
    let mut rom: Vec<u8> = code.iter().flat_map(|word| word.to_le_bytes()).collect();
    rom.extend_from_slice(message);
    rom.push(0);
    rom
}
