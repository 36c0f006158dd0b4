//! Firmware images prepared for a board before it boots them: a copy in
//! scratch with the bytes of each 32-bit word swapped, for Malta; the
//! tail of an updater image, for the AmigaOne.

use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::harness::{TestEnv, TestError};

/// A copy in scratch of a firmware image with the bytes of each 32-bit
/// word reversed. Malta swaps the words of a little-endian BIOS as it
/// loads it (the YAMON convention), so a plain image must be swapped first.
pub fn word_swapped_copy(env: &TestEnv, path: &Path) -> Result<PathBuf, TestError> {
    let bytes = std::fs::read(path)
        .map_err(|err| TestError::io(format!("reading {}", path.display()), err))?;
    let swapped: Vec<u8> = bytes
        .chunks(4)
        .flat_map(|word| word.iter().rev().copied().collect::<Vec<u8>>())
        .collect();
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let copy = env.scratch_file([format!("{name}.swapped")]);
    std::fs::write(&copy, swapped)
        .map_err(|err| TestError::io(format!("writing {}", copy.display()), err))?;
    env.log(format_args!(
        "{} with its 32-bit words swapped: {}",
        path.display(),
        copy.display()
    ));
    Ok(copy)
}

/// Python's `tail -c <bytes> <path> > scratch/<name>`: a copy in scratch
/// of the last `bytes` bytes of `path` (all of it if shorter). AmigaOne's
/// U-Boot is the last 512 KiB of its firmware updater's image.
pub fn tail_copy(env: &TestEnv, path: &Path, bytes: u64, name: &str) -> Result<PathBuf, TestError> {
    let read = |err| TestError::io(format!("reading {}", path.display()), err);
    let mut file = File::open(path).map_err(read)?;
    let length = file.metadata().map_err(read)?.len();
    file.seek(SeekFrom::Start(length.saturating_sub(bytes)))
        .map_err(read)?;
    let copy = env.scratch_file([name]);
    let write = |err| TestError::io(format!("writing {}", copy.display()), err);
    let mut out = File::create(&copy).map_err(write)?;
    io::copy(&mut file, &mut out).map_err(write)?;
    env.log(format_args!(
        "the last {} bytes of {}: {}",
        bytes.min(length),
        path.display(),
        copy.display()
    ));
    Ok(copy)
}
