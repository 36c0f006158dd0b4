//! Firmware images prepared for a board before it boots them: a copy in
//! scratch with the bytes of each 32-bit word swapped, for Malta.

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
