//! Finding the QEMU binary of a target, and commands on `PATH`.

use std::path::{Path, PathBuf};

use super::unavailable::Unavailable;

/// Finds `qemu-system-<arch>`, or says why there is none.
pub fn qemu_binary(arch: &str) -> Result<PathBuf, Unavailable> {
    if let Some(binary) = std::env::var_os("QEMU_TEST_QEMU_BINARY").filter(|b| !b.is_empty()) {
        let binary = PathBuf::from(binary);
        return if is_executable(&binary) {
            Ok(binary)
        } else {
            Err(Unavailable::BinaryNotExecutable { path: binary })
        };
    }
    let name = format!("qemu-system-{arch}");
    if let Some(root) = std::env::var_os("QEMU_BUILD_ROOT").filter(|r| !r.is_empty()) {
        let binary = PathBuf::from(root).join(&name);
        if is_executable(&binary) {
            return Ok(binary);
        }
    }
    find_command(&name).ok_or(Unavailable::NoBinary { name })
}

/// The full path of `command` on `PATH`, if it is there.
pub fn find_command(command: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(command))
        .find(|candidate| is_executable(candidate))
}

pub(crate) fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}
