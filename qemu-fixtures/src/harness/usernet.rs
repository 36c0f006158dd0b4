//! QEMU's user-mode network (`-netdev user`) as tests set it up: a TFTP
//! root in the test's scratch dir, and host forwards to a guest port.

use std::fs;
use std::path::{Path, PathBuf};

use crate::harness::{TestEnv, TestError};

/// A directory that `-netdev user,tftp=<dir>` serves to the guest.
#[derive(Debug, Clone)]
pub struct TftpRoot {
    dir: PathBuf,
}

impl TestEnv {
    /// A fresh, empty TFTP root at `<scratch>/<name>` (a stale one from an
    /// earlier run is removed first, as upstream's `rmtree` does).
    pub fn tftp_root(&self, name: &str) -> Result<TftpRoot, TestError> {
        let dir = self.scratch_file([name]);
        if dir.exists() {
            fs::remove_dir_all(&dir)
                .map_err(|err| TestError::io(format!("removing {}", dir.display()), err))?;
        }
        fs::create_dir_all(&dir)
            .map_err(|err| TestError::io(format!("creating {}", dir.display()), err))?;
        Ok(TftpRoot { dir })
    }
}

impl TftpRoot {
    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Copies `from` into the root as `name` (a cached asset stays
    /// untouched by whatever the guest does).
    pub fn copy(&self, from: &Path, name: &str) -> Result<&TftpRoot, TestError> {
        let to = self.dir.join(name);
        fs::copy(from, &to).map_err(|err| {
            TestError::io(
                format!("copying {} to {}", from.display(), to.display()),
                err,
            )
        })?;
        Ok(self)
    }

    /// Writes `contents` at `parts` under the root (`["pxelinux.cfg",
    /// "default"]`), creating the folders on the way.
    pub fn write(&self, parts: &[&str], contents: &str) -> Result<&TftpRoot, TestError> {
        let path = parts
            .iter()
            .fold(self.dir.clone(), |path, part| path.join(part));
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|err| TestError::io(format!("creating {}", parent.display()), err))?;
        }
        fs::write(&path, contents)
            .map_err(|err| TestError::io(format!("writing {}", path.display()), err))?;
        Ok(self)
    }

    /// The `-netdev` value serving this root: `user,id=<id>,tftp=<dir>`.
    pub fn netdev(&self, id: &str) -> String {
        format!("user,id={id},tftp={}", self.dir.display())
    }
}

/// The `-netdev` value of a user network `id` that forwards an ephemeral
/// port of the host's 127.0.0.1 to `guest_port` (upstream writes
/// `user,id=unet,hostfwd=:127.0.0.1:0-:22`); `linux::usernet_hostfwd_port`
/// reads back which host port QEMU picked.
pub fn hostfwd_netdev(id: &str, guest_port: u16) -> String {
    format!("user,id={id},hostfwd=:127.0.0.1:0-:{guest_port}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostfwd_netdev_is_upstreams_spelling() {
        assert_eq!(
            hostfwd_netdev("unet", 22),
            "user,id=unet,hostfwd=:127.0.0.1:0-:22"
        );
    }

    #[test]
    fn a_tftp_root_holds_copies_and_nested_files_and_names_its_netdev() {
        let dir = std::env::temp_dir().join(format!("tftp-root-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let source = dir.join("kernel.src");
        fs::write(&source, b"kernel").unwrap();
        let root = TftpRoot {
            dir: dir.join("tftp"),
        };
        fs::create_dir(root.path()).unwrap();
        root.copy(&source, "kernel.debian")
            .unwrap()
            .write(&["pxelinux.cfg", "default"], "default Debian\n")
            .unwrap();
        assert_eq!(fs::read(dir.join("tftp/kernel.debian")).unwrap(), b"kernel");
        assert_eq!(
            fs::read_to_string(dir.join("tftp/pxelinux.cfg/default")).unwrap(),
            "default Debian\n"
        );
        assert_eq!(
            root.netdev("n1"),
            format!("user,id=n1,tftp={}", dir.join("tftp").display())
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
