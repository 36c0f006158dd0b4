//! Why an asset could not be had, and whether trying again later could help.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use super::hash::Algorithm;

/// Why an asset could not be had.
///
/// Skip or fail is decided by variant, never by message text:
/// - transient (`is_transient`, the test skips): what a later try may fix
///   on the server's or the network's side: an HTTP status other than 404,
///   a refused or cut connection (`Network`, `Truncated`), a download that
///   did not finish within its time bound (`TimedOut`, `Stalled`), a
///   redirect loop (`TooManyRedirects`, the server's configuration);
/// - fatal (the test fails): a URL that is wrong (HTTP 404, `NoSuchFile`), a
///   body that cannot be the asset (`HashMismatch`, `LongerThanAnnounced`,
///   `TooLarge`), a mistake in a declaration or a setting (`InvalidHash`,
///   `UnsupportedUrl`, `InvalidSetting`), and local I/O on this machine
///   (`is_local`: `Write`, `Read`, `Rename`): a cache dir that is not
///   writable or a full disk is this machine's problem, never "unavailable".
/// - `Unavailable` (no apt here) and `DownloadDisabled` skip, as the
///   harness decides.
///
/// Every message carries its cause's text (the OS error of an I/O failure),
/// because the harness prints the message, not the `source()` chain.
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
    /// The host does not resolve or refuses connections: this machine is
    /// offline or the host is down. Skipped at once, not retried: a retry
    /// seconds later meets the same answer, and on an offline CI machine
    /// hundreds of assets would each wait out the backoff.
    #[error("{url}: cannot reach the host: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url}: the body ended after {received} of {expected} bytes")]
    Truncated {
        url: String,
        received: u64,
        expected: u64,
    },
    /// The server sent more than its `Content-Length` (or the file grew
    /// while it was copied): whatever it is, it is not what was announced.
    #[error("{url}: the body is longer than the {expected} bytes announced")]
    LongerThanAnnounced { url: String, expected: u64 },
    /// No `Content-Length`, and the body passed the cap: an endless body
    /// stops here instead of filling the disk.
    #[error(
        "{url}: the body passed {limit} bytes without a Content-Length, the cap that QEMU_TEST_DOWNLOAD_MAX_BYTES sets"
    )]
    TooLarge { url: String, limit: u64 },
    /// The fetch (download, retries and waiting for another process's
    /// download) did not end within the total bound.
    #[error(
        "{url}: not fetched within {}s, the bound that QEMU_TEST_DOWNLOAD_TIMEOUT sets",
        limit.as_secs_f64()
    )]
    TimedOut { url: String, limit: Duration },
    #[error("{url}: more than {limit} redirects")]
    TooManyRedirects { url: String, limit: u32 },
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
    #[error("{name}={value:?} is not {expected}")]
    InvalidSetting {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("{url}: no such file `{}`", path.display())]
    NoSuchFile { url: String, path: PathBuf },
    #[error("cannot write `{}`: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot read `{}`: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot rename `{}` to `{}`: {source}", from.display(), to.display())]
    Rename {
        from: PathBuf,
        to: PathBuf,
        source: io::Error,
    },
}

impl AssetError {
    /// Whether trying again later could help: the test skips. See the
    /// enum's documentation for which variants are which.
    pub fn is_transient(&self) -> bool {
        match self {
            AssetError::Http { status, .. } => *status != 404,
            AssetError::Network { .. }
            | AssetError::Unreachable { .. }
            | AssetError::Truncated { .. }
            | AssetError::Stalled { .. }
            | AssetError::TimedOut { .. }
            | AssetError::TooManyRedirects { .. } => true,
            AssetError::HashMismatch { .. }
            | AssetError::LongerThanAnnounced { .. }
            | AssetError::TooLarge { .. }
            | AssetError::Unavailable { .. }
            | AssetError::DownloadDisabled { .. }
            | AssetError::InvalidHash { .. }
            | AssetError::UnsupportedUrl { .. }
            | AssetError::InvalidSetting { .. }
            | AssetError::NoSuchFile { .. }
            | AssetError::Write { .. }
            | AssetError::Read { .. }
            | AssetError::Rename { .. } => false,
        }
    }

    /// A local I/O failure on this machine (cache dir not writable, disk
    /// full, rename failed): always a failure, with the OS error.
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            AssetError::Write { .. } | AssetError::Read { .. } | AssetError::Rename { .. }
        )
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
        let write = AssetError::Write {
            path: "/cache/x.part".into(),
            source: io::Error::from_raw_os_error(28),
        };
        assert!(!write.is_transient() && write.is_local());
        assert_eq!(
            write.to_string(),
            "cannot write `/cache/x.part`: No space left on device (os error 28)"
        );
    }
}
