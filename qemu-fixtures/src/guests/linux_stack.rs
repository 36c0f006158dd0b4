//! The qemu-linux-stack archives (firmware, kernel, root filesystems, a
//! `lkvm` or `qemu-system-aarch64` for a nested guest) that the RME and
//! device-passthrough tests unpack into scratch, where guests write.

use std::path::{Path, PathBuf};

use crate::assets::Asset;
use crate::assets::unpacked::reflink_or_copy;
use crate::harness::{TestEnv, TestError};

/// Python's `archive_extract(stack, format="tar")` into scratch: the
/// archive's tree as a writable copy in the test's scratch directory
/// (returned), since the guest boots its root filesystems read-write and
/// shares the tree over a writable virtfs. The cached extraction stays
/// untouched.
pub fn extract_writable(env: &TestEnv, asset: &Asset) -> Result<PathBuf, TestError> {
    let unpacked = env.archive_extract_all(asset)?;
    let scratch = env.scratch_dir();
    copy_tree(&unpacked, &scratch)?;
    Ok(scratch)
}

/// Copies the files and directories under `from` into `to` (created as
/// needed), each file a reflink where the filesystem allows.
pub fn copy_tree(from: &Path, to: &Path) -> Result<(), TestError> {
    let entries = std::fs::read_dir(from)
        .map_err(|err| TestError::io(format!("reading {}", from.display()), err))?;
    std::fs::create_dir_all(to)
        .map_err(|err| TestError::io(format!("creating {}", to.display()), err))?;
    for entry in entries {
        let entry =
            entry.map_err(|err| TestError::io(format!("reading {}", from.display()), err))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|err| TestError::io(format!("reading {}", source.display()), err))?;
        if kind.is_dir() {
            copy_tree(&source, &target)?;
        } else {
            reflink_or_copy(&source, &target).map_err(|err| {
                TestError::io(
                    format!("copying {} to {}", source.display(), target.display()),
                    err,
                )
            })?;
        }
    }
    Ok(())
}
