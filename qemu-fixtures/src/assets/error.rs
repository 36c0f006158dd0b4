//! Why an asset could not be had, and whether trying again later could help.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use super::hash::Algorithm;

/// Why an asset could not be had. `is_transient` says whether trying again
/// later could help: those skip a test, the others fail it.
#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    #[error("{url}: HTTP {status}")]
    Http { url: String, status: u16 },
    #[error("{url}: {algorithm} is {actual}, expected {expected}")]
    HashMismatch {
        url: String,
        algorithm: Algorithm,
        expected: String,
        actual: String,
    },
    #[error("{url}: {reason}")]
    Network { url: String, reason: String },
    #[error("{url}: the body ended after {received} of {expected} bytes")]
    Truncated {
        url: String,
        received: u64,
        expected: u64,
    },
    /// Cannot be had on this machine (no apt, an unknown package): a skip.
    #[error("{url}: {reason}")]
    Unavailable { url: String, reason: String },
    #[error("{url}: not in the cache, and QEMU_TEST_NO_DOWNLOAD is set")]
    DownloadDisabled { url: String },
    #[error("{url}: another process has been downloading it without progress for {}s", waited.as_secs())]
    Stalled { url: String, waited: Duration },
    #[error("invalid hash {hash:?} for {url}: {message}")]
    InvalidHash {
        url: String,
        hash: String,
        message: String,
    },
    #[error("unsupported URL {url}: {message}")]
    UnsupportedUrl { url: String, message: String },
    #[error("{url}: no such file `{}`", path.display())]
    NoSuchFile { url: String, path: PathBuf },
    #[error("cannot write `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot read `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl AssetError {
    /// A network problem that may pass: the test skips. HTTP 404, a hash
    /// mismatch and local errors fail it.
    pub fn is_transient(&self) -> bool {
        match self {
            AssetError::Http { status, .. } => *status != 404,
            AssetError::Network { .. }
            | AssetError::Truncated { .. }
            | AssetError::Stalled { .. } => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_404_and_local_problems_are_not_transient() {
        let http = |status| AssetError::Http {
            url: "u".into(),
            status,
        };
        assert!(!http(404).is_transient());
        assert!(http(500).is_transient());
        assert!(http(503).is_transient());
        let mismatch = AssetError::HashMismatch {
            url: "u".into(),
            algorithm: Algorithm::Sha256,
            expected: "a".into(),
            actual: "b".into(),
        };
        assert!(!mismatch.is_transient());
    }
}
