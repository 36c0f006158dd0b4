//! Guest payloads installed by the system's package manager (U-Boot,
//! OpenSBI, SeaBIOS, EDK2, QEMU's own firmware): referenced by path and
//! package. Missing, the test skips saying which package to install;
//! present, its sha256 goes into base.log. Not pinned by hash: a Debian
//! point release must not turn a test red.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::skip::Skip;
use super::testenv::TestEnv;
use crate::assets::hex;

/// A file some package installs.
#[derive(Debug, Clone, Copy)]
pub struct Installed {
    pub path: &'static str,
    /// The Debian package that installs it.
    pub package: &'static str,
}

impl Installed {
    pub const fn new(path: &'static str, package: &'static str) -> Installed {
        Installed { path, package }
    }

    pub fn path(&self) -> &Path {
        Path::new(self.path)
    }
}

impl TestEnv {
    /// The path of an installed payload, its sha256 logged; a skip naming the
    /// package when it is not installed.
    pub fn installed(&self, file: &Installed) -> Result<PathBuf, Skip> {
        let path = file.path();
        if !path.is_file() {
            let reason = format!(
                "{} is missing: install the Debian package {} (bash .ci/setup installs it)",
                file.path, file.package
            );
            self.log(format_args!("installed: {reason}"));
            return Err(Skip::new(reason));
        }
        match sha256_file(path) {
            Ok(hash) => self.log(format_args!(
                "installed: {} from package {} sha256 {hash}",
                file.path, file.package
            )),
            Err(err) => self.log(format_args!("installed: cannot hash {}: {err}", file.path)),
        }
        Ok(path.to_path_buf())
    }
}

/// The sha256 of a file, as lowercase hex.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}
