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

/// Python's `is_readable_executable_file`: a regular file this process
/// may read and execute (a helper from QEMU's build tree, such as
/// `contrib/vhost-user-gpu/vhost-user-gpu`).
pub fn is_readable_executable_file(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: access reads a NUL-terminated path we own.
    path.is_file() && unsafe { libc::access(c_path.as_ptr(), libc::R_OK | libc::X_OK) } == 0
}

pub(crate) fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_executable_files_are_told_from_plain_files_and_folders() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("helper");
        std::fs::write(&script, "#!/bin/sh\n").unwrap();
        assert!(!is_readable_executable_file(&script), "not executable yet");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(is_readable_executable_file(&script));
        assert!(!is_readable_executable_file(dir.path()), "a folder");
        assert!(!is_readable_executable_file(&dir.path().join("missing")));
    }
}
