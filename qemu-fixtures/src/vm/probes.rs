//! What a QEMU binary says about itself (`-machine help`, `-device help`,
//! `-accel help`, `--version`), asked once per binary across test processes
//! and kept on disk under `$QEMU_TEST_CACHE_DIR/probes/`.
//!
//! Each test is its own process under nextest, so a per-process cache asks
//! the same questions hundreds of times. An answer is keyed by the binary's
//! path, size, mtime and inode plus the question: a rebuilt or replaced
//! binary gets new keys, so a stale answer is never read.

use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// Why a probe has no answer.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot run `{}`: {source}", program.display())]
    Spawn {
        program: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{} {args}` {status}: {stderr}", program.display())]
    Failed {
        program: PathBuf,
        args: String,
        status: std::process::ExitStatus,
        stderr: String,
    },
    #[error("`{} --version` says {first_line:?}, not `QEMU emulator version X.Y.Z`", program.display())]
    Version {
        program: PathBuf,
        first_line: String,
    },
}

/// The standard output of `binary <args>`, from the disk cache when this
/// binary was asked before. A probe that fails is not cached.
pub fn output(binary: &Path, args: &[&str]) -> Result<String, ProbeError> {
    output_in(&probe_dir(), binary, args)
}

/// As [`output`], with the cache in `dir` (for tests and the bench).
pub fn output_in(dir: &Path, binary: &Path, args: &[&str]) -> Result<String, ProbeError> {
    let key = key(binary, args);
    if let Some(key) = &key
        && let Ok(cached) = fs::read_to_string(dir.join(key))
    {
        return Ok(cached);
    }
    let output = Command::new(binary)
        .args(args)
        .output()
        .map_err(|source| ProbeError::Spawn {
            program: binary.to_path_buf(),
            source,
        })?;
    if !output.status.success() {
        return Err(ProbeError::Failed {
            program: binary.to_path_buf(),
            args: args.join(" "),
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if let Some(key) = &key {
        // A cache that cannot be written only costs the next process a
        // probe: never a reason to fail the test.
        let _ = store(dir, key, &text);
    }
    Ok(text)
}

/// The version `binary --version` reports.
pub fn qemu_version(binary: &Path) -> Result<QemuVersion, ProbeError> {
    let text = output(binary, &["--version"])?;
    let first_line = text.lines().next().unwrap_or_default();
    QemuVersion::from_version_line(first_line).ok_or_else(|| ProbeError::Version {
        program: binary.to_path_buf(),
        first_line: first_line.to_owned(),
    })
}

/// Where the answers live: `$QEMU_TEST_CACHE_DIR/probes`, beside the
/// download cache.
pub fn probe_dir() -> PathBuf {
    crate::assets::Cache::from_env().root().join("probes")
}

/// A QEMU release, `major.minor.micro`, ordered as releases are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QemuVersion {
    pub major: u32,
    pub minor: u32,
    pub micro: u32,
}

impl QemuVersion {
    /// `10.0.2`.
    pub fn parse(text: &str) -> Option<QemuVersion> {
        let mut parts = text.trim().split('.').map(|part| part.parse::<u32>().ok());
        let version = QemuVersion {
            major: parts.next()??,
            minor: parts.next()??,
            micro: parts.next()??,
        };
        parts.next().is_none().then_some(version)
    }

    /// `QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2)`.
    pub fn from_version_line(line: &str) -> Option<QemuVersion> {
        let rest = line.strip_prefix("QEMU emulator version ")?;
        QemuVersion::parse(rest.split_whitespace().next()?)
    }
}

impl fmt::Display for QemuVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.micro)
    }
}

/// The cache file name of one question to one binary, or `None` when the
/// binary cannot be looked at (then it is not cached).
/// The cache key of `binary <args>`: the binary's identity and the question.
pub(crate) fn key(binary: &Path, args: &[&str]) -> Option<String> {
    let meta = fs::metadata(binary).ok()?;
    let mut hash = Sha256::new();
    hash.update(binary.as_os_str().as_encoded_bytes());
    for field in [
        meta.len() as i64,
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ino() as i64,
        meta.dev() as i64,
    ] {
        hash.update(b"\0");
        hash.update(field.to_le_bytes());
    }
    for arg in args {
        hash.update(b"\0");
        hash.update(arg.as_bytes());
    }
    let digest = hash.finalize();
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    Some(hex)
}

/// Written to a temporary name and renamed, so a reader in another
/// process sees the whole answer or none.
fn store(dir: &Path, key: &str, text: &str) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{key}."))
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.persist(dir.join(key)).map_err(|err| err.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        let line = "QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)";
        let version = QemuVersion::from_version_line(line).unwrap();
        assert_eq!(version.to_string(), "10.0.2");
        assert!(QemuVersion::parse("10.0.3").unwrap() > version);
        assert!(QemuVersion::parse("9.2.10").unwrap() < version);
        assert_eq!(QemuVersion::parse("10.0"), None);
        assert_eq!(QemuVersion::from_version_line("qemu 10.0.2"), None);
    }
}
