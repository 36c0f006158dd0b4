//! Bare-metal guests for targets that have no firmware to boot: a minimal
//! program, written in the test beside the board it runs on, that prints
//! the alphabet on the board's UART, counting from `A` in a loop. It is
//! assembled at test time with Debian's cross binutils; missing, the test
//! skips naming the package.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::TestEnv;
use crate::harness::TestError;
use crate::harness::skip::{Skip, find_command};

/// What every bare-metal guest prints, computed by its loop.
pub const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A cross toolchain and how to call it for one board.
#[derive(Debug, Clone, Copy)]
pub struct Binutils {
    /// The tools' prefix, `m68k-linux-gnu-`.
    pub prefix: &'static str,
    /// The Debian package that has them.
    pub package: &'static str,
    pub as_flags: &'static [&'static str],
    /// Where the program goes, and how it links (`-Ttext=0x40000000`, or
    /// `-T` with a script the test writes).
    pub ld_flags: &'static [&'static str],
}

/// What the board loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Image {
    /// The linked ELF (`-kernel` on most boards).
    Elf,
    /// The raw bytes of `.text` (a `-bios` image).
    RawText,
}

/// Assembles and links `source` in scratch; returns the image.
pub fn assemble(
    env: &TestEnv,
    binutils: &Binutils,
    source: &str,
    image: Image,
) -> Result<PathBuf, TestError> {
    for tool in ["as", "ld", "objcopy"] {
        let name = format!("{}{tool}", binutils.prefix);
        if find_command(&name).is_none() {
            return Err(Skip::new(format!(
                "{name} is not installed: install Debian's {} (bash .ci/setup installs it)",
                binutils.package
            ))
            .into());
        }
    }
    let dir = env.scratch_file(["baremetal", "program.S"]);
    let dir = dir.parent().expect("in scratch").to_path_buf();
    std::fs::write(dir.join("program.S"), source)
        .map_err(|err| TestError::io("writing the program", err))?;
    run(
        env,
        &dir,
        &format!("{}as", binutils.prefix),
        binutils.as_flags,
        &["-o", "program.o", "program.S"],
    )?;
    run(
        env,
        &dir,
        &format!("{}ld", binutils.prefix),
        binutils.ld_flags,
        &["-e", "_start", "-o", "program.elf", "program.o"],
    )?;
    match image {
        Image::Elf => Ok(dir.join("program.elf")),
        Image::RawText => {
            let objcopy = format!("{}objcopy", binutils.prefix);
            run(
                env,
                &dir,
                &objcopy,
                &["-O", "binary", "-j", ".text"],
                &["program.elf", "program.bin"],
            )?;
            Ok(dir.join("program.bin"))
        }
    }
}

/// Writes a program the test encoded itself (for a target Debian has no
/// assembler for) to scratch.
pub fn write_encoded(env: &TestEnv, words: &[u32], big_endian: bool) -> Result<PathBuf, TestError> {
    let bytes: Vec<u8> = words
        .iter()
        .flat_map(|word| {
            if big_endian {
                word.to_be_bytes()
            } else {
                word.to_le_bytes()
            }
        })
        .collect();
    let path = env.scratch_file(["baremetal", "program.bin"]);
    std::fs::write(&path, bytes).map_err(|err| TestError::io("writing the program", err))?;
    env.log(format_args!(
        "bare-metal program of {} words at {}",
        words.len(),
        path.display()
    ));
    Ok(path)
}

fn run(
    env: &TestEnv,
    dir: &Path,
    tool: &str,
    flags: &[&str],
    args: &[&str],
) -> Result<(), TestError> {
    let output = Command::new(tool)
        .args(flags)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|err| TestError::io(format!("running {tool}"), err))?;
    env.log(format_args!(
        "{tool} {} {}: {}",
        flags.join(" "),
        args.join(" "),
        output.status
    ));
    if !output.status.success() {
        return Err(TestError::check(format!(
            "{tool} failed on the test's program: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}
