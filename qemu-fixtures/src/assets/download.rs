//! Downloading an asset into the cache's `.part` file, hashed on the way:
//! from the mirror first, then by HTTP(S), `file://` or `apt-get download`,
//! bounded in time, size and redirects, and retried with exponential
//! backoff when a truncated or interrupted download may pass.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::cache::{Cache, Progress};
use super::debian;
use super::declare::Asset;
use super::error::AssetError;
use super::hash::Hasher;
use super::mirror::Mirror;

/// How long one read from the server may take before the download counts
/// as a network failure.
const READ_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Redirects followed before a chain counts as a loop.
pub const MAX_REDIRECTS: u32 = 10;

/// The bounds of one asset's fetch. `QEMU_TEST_DOWNLOAD_TIMEOUT` (seconds)
/// and `QEMU_TEST_DOWNLOAD_MAX_BYTES` set the first two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadLimits {
    /// The whole fetch of one asset: every attempt, the pauses between
    /// them, and the wait for another process's download of it.
    ///
    /// The default, 2 hours, was chosen from the largest images QEMU's
    /// suite downloads (a few GB): 4 GB at 1 MB/s (an 8 Mbit/s link) take
    /// 68 minutes, which leaves room for a retry; a server that drips bytes
    /// can hold a test no longer than this.
    pub total: Duration,
    /// The size cap of a body served without `Content-Length` (with one,
    /// the announced length is the cap). The default, 16 GiB, is above any
    /// image of QEMU's suite and below what fills a CI machine's disk.
    pub max_bytes: u64,
    /// Tries of a download that failed in a way that may pass.
    pub attempts: u32,
    /// The pause before the first retry; it doubles before each next one.
    pub first_pause: Duration,
}

impl Default for DownloadLimits {
    fn default() -> DownloadLimits {
        DownloadLimits {
            total: Duration::from_secs(2 * 60 * 60),
            max_bytes: 16 << 30,
            attempts: 4,
            first_pause: Duration::from_secs(1),
        }
    }
}

impl DownloadLimits {
    /// The defaults, with `QEMU_TEST_DOWNLOAD_TIMEOUT` (seconds, fractions
    /// allowed) and `QEMU_TEST_DOWNLOAD_MAX_BYTES` when set; a value that
    /// does not parse is a configuration mistake, not a default.
    pub fn from_env() -> Result<DownloadLimits, AssetError> {
        let mut limits = DownloadLimits::default();
        let get = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        if let Some(value) = get("QEMU_TEST_DOWNLOAD_TIMEOUT") {
            limits.total = value
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|secs| secs.is_finite() && *secs > 0.0)
                .map(Duration::from_secs_f64)
                .ok_or(AssetError::InvalidSetting {
                    name: "QEMU_TEST_DOWNLOAD_TIMEOUT",
                    value,
                    expected: "a positive number of seconds",
                })?;
        }
        if let Some(value) = get("QEMU_TEST_DOWNLOAD_MAX_BYTES") {
            limits.max_bytes = value
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|bytes| *bytes > 0)
                .ok_or(AssetError::InvalidSetting {
                    name: "QEMU_TEST_DOWNLOAD_MAX_BYTES",
                    value,
                    expected: "a positive number of bytes",
                })?;
        }
        Ok(limits)
    }
}

/// When a fetch must have ended, and the bound that says so.
#[derive(Debug, Clone, Copy)]
pub(super) struct Deadline {
    at: Instant,
    limits: DownloadLimits,
}

impl Deadline {
    pub(super) fn start(limits: DownloadLimits) -> Deadline {
        Deadline {
            at: Instant::now() + limits.total,
            limits,
        }
    }

    pub(super) fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    pub(super) fn passed(&self) -> bool {
        Instant::now() >= self.at
    }

    /// Writes the deadline into the lock file its holder downloads under,
    /// for the processes that wait on it (best effort: they have their own).
    pub(super) fn publish(&self, lock: &File) {
        let at = SystemTime::now() + self.remaining();
        if let Ok(since_epoch) = at.duration_since(UNIX_EPOCH) {
            let _ = lock.set_len(0);
            let _ = lock.write_at(since_epoch.as_secs_f64().to_string().as_bytes(), 0);
        }
    }

    /// Adopts the deadline of the download this process waits on, when it
    /// is earlier than its own: a waiter gives up when that download's
    /// bound passes, rather than starting the same doomed download again.
    /// A deadline already past is one a finished holder left: ignored.
    pub(super) fn adopt(&mut self, lock_path: &Path) {
        let Some(theirs) = fs::read_to_string(lock_path)
            .ok()
            .and_then(|text| text.trim().parse::<f64>().ok())
            .filter(|secs| secs.is_finite() && *secs > 0.0)
            .map(|secs| UNIX_EPOCH + Duration::from_secs_f64(secs))
        else {
            return;
        };
        if let Ok(left) = theirs.duration_since(SystemTime::now()) {
            self.at = self.at.min(Instant::now() + left);
        }
    }

    pub(super) fn error(&self, url: &str) -> AssetError {
        AssetError::TimedOut {
            url: url.to_owned(),
            limit: self.limits.total,
        }
    }
}

impl Cache {
    /// Downloads into `part` from the mirror, then the asset's URL; returns
    /// the bytes written and whether the mirror served them.
    pub(super) fn download(
        &self,
        asset: &Asset,
        part: &Path,
        progress: &dyn Progress,
        deadline: &Deadline,
    ) -> Result<(u64, bool), AssetError> {
        if let Some(mirror) = &self.mirror {
            let source = match mirror {
                Mirror::Url(base) => format!("{base}/{}", asset.hash()),
                Mirror::Directory(dir) => format!("file://{}", dir.join(asset.hash()).display()),
            };
            match self.download_from(asset, &source, part, progress, deadline) {
                Ok(bytes) => return Ok((bytes, true)),
                Err(err) => {
                    progress.note(&format!(
                        "mirror has no good copy ({err}); trying {}",
                        asset.url()
                    ));
                    let _ = fs::remove_file(part);
                    if deadline.passed() {
                        return Err(deadline.error(asset.url()));
                    }
                }
            }
        }
        let attempts = deadline.limits.attempts.max(1);
        let mut pause = deadline.limits.first_pause;
        let mut attempt = 1;
        loop {
            match self.download_from(asset, asset.url(), part, progress, deadline) {
                Ok(bytes) => return Ok((bytes, false)),
                // A retry that would start after the bound cannot finish.
                Err(err)
                    if attempt < attempts && retry_helps(&err) && pause < deadline.remaining() =>
                {
                    progress.note(&format!(
                        "attempt {attempt} of {attempts} failed: {err}; trying again in {:.1}s",
                        pause.as_secs_f64()
                    ));
                    let _ = fs::remove_file(part);
                    // Backs off, so that a struggling server is not hammered.
                    std::thread::sleep(pause);
                    pause = pause.saturating_mul(2);
                    attempt += 1;
                }
                Err(err) => {
                    let _ = fs::remove_file(part);
                    return Err(err);
                }
            }
        }
    }

    fn download_from(
        &self,
        asset: &Asset,
        source: &str,
        part: &Path,
        progress: &dyn Progress,
        deadline: &Deadline,
    ) -> Result<u64, AssetError> {
        if deadline.passed() {
            return Err(deadline.error(source));
        }
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(part)
            .map_err(|err| AssetError::Write {
                path: part.to_path_buf(),
                source: err,
            })?;
        let mut hasher = Hasher::new(asset.algorithm());
        let apt_dir;
        let local = if let Some(package) = source.strip_prefix("deb:") {
            // apt fetches it; we check it like any download.
            let (name, version) = package.split_once('=').unwrap_or((package, ""));
            apt_dir = tempfile::Builder::new()
                .prefix(".apt-")
                .tempdir_in(&self.dir)
                .map_err(|err| AssetError::Write {
                    path: self.dir.clone(),
                    source: err,
                })?;
            let deb = debian::download(
                &debian::Resolved {
                    package: name.to_owned(),
                    version: version.to_owned(),
                    architecture: String::new(),
                    sha256: asset.hash().to_owned(),
                    size: 0,
                },
                apt_dir.path(),
            )?;
            Some(deb.display().to_string())
        } else {
            source.strip_prefix("file://").map(str::to_owned)
        };
        let (received, expected) = if let Some(path) = local.as_deref() {
            let mut file = File::open(path).map_err(|err| match err.kind() {
                io::ErrorKind::NotFound => AssetError::NoSuchFile {
                    url: source.to_owned(),
                    path: PathBuf::from(path),
                },
                _ => AssetError::Read {
                    path: PathBuf::from(path),
                    source: err,
                },
            })?;
            let total = file.metadata().map(|meta| meta.len()).ok();
            progress.started(asset, source, total);
            let cap = Cap::of(total, deadline);
            let received = copy(
                &mut file,
                &mut out,
                &mut hasher,
                progress,
                source,
                part,
                cap,
            )?;
            (received, total)
        } else {
            // The bound covers the whole request, body included; one read
            // may wait no longer than what is left of it.
            let remaining = deadline.remaining();
            let response = agent()
                .get(source)
                .config()
                .timeout_global(Some(remaining))
                .timeout_per_read(Some(remaining.min(READ_TIMEOUT)))
                .build()
                .call()
                .map_err(|err| network(source, err, deadline))?;
            let status = response.status().as_u16();
            if status != 200 {
                return Err(AssetError::Http {
                    url: source.to_owned(),
                    status,
                });
            }
            let total = response
                .headers()
                .get("content-length")
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.parse().ok());
            progress.started(asset, source, total);
            let mut body = response.into_body().into_reader();
            let cap = Cap::of(total, deadline);
            let received = copy(
                &mut body,
                &mut out,
                &mut hasher,
                progress,
                source,
                part,
                cap,
            )
            .map_err(|err| match err {
                // ureq's own timer may fire first.
                AssetError::Network { .. } if deadline.passed() => deadline.error(source),
                err => err,
            })?;
            (received, total)
        };
        if let Some(expected) = expected
            && received != expected
        {
            return Err(AssetError::Truncated {
                url: source.to_owned(),
                received,
                expected,
            });
        }
        out.sync_all().map_err(|err| AssetError::Write {
            path: part.to_path_buf(),
            source: err,
        })?;
        let actual = hasher.finish();
        if actual != asset.hash() {
            return Err(AssetError::HashMismatch {
                url: source.to_owned(),
                algorithm: asset.algorithm(),
                expected: asset.hash().to_owned(),
                actual,
            });
        }
        Ok(received)
    }
}

/// How far a copy may go: the announced length (or, without one, the
/// size cap), and the deadline.
#[derive(Debug, Clone, Copy)]
struct Cap<'a> {
    announced: Option<u64>,
    max_bytes: u64,
    deadline: &'a Deadline,
}

impl<'a> Cap<'a> {
    fn of(announced: Option<u64>, deadline: &'a Deadline) -> Cap<'a> {
        Cap {
            announced,
            max_bytes: deadline.limits.max_bytes,
            deadline,
        }
    }
}

fn copy(
    from: &mut dyn Read,
    to: &mut File,
    hasher: &mut Hasher,
    progress: &dyn Progress,
    source: &str,
    part: &Path,
    cap: Cap<'_>,
) -> Result<u64, AssetError> {
    let limit = cap.announced.unwrap_or(cap.max_bytes);
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        // A server that drips bytes keeps every read short: the deadline is
        // checked between reads, the read timeout bounds each one.
        if cap.deadline.passed() {
            return Err(cap.deadline.error(source));
        }
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => {
                return Err(AssetError::Network {
                    url: source.to_owned(),
                    reason: format!("reading the body after {total} bytes: {err}"),
                });
            }
        };
        // Checked before writing, so that nothing past the cap reaches the
        // disk.
        if total + n as u64 > limit {
            return Err(match cap.announced {
                Some(expected) => AssetError::LongerThanAnnounced {
                    url: source.to_owned(),
                    expected,
                },
                None => AssetError::TooLarge {
                    url: source.to_owned(),
                    limit,
                },
            });
        }
        to.write_all(&buf[..n])
            .map_err(|source| AssetError::Write {
                path: part.to_path_buf(),
                source,
            })?;
        hasher.update(&buf[..n]);
        total += n as u64;
        progress.advanced(n as u64);
    }
}

/// One HTTP agent: explicit timeouts (ureq has none by default), proxies
/// from the environment, statuses as values, and no decompression of the
/// body (the `gzip` feature is off), since the hash is of the bytes served.
fn agent() -> &'static ureq::Agent {
    static AGENT: std::sync::OnceLock<ureq::Agent> = std::sync::OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_recv_response(Some(READ_TIMEOUT))
            .timeout_per_read(Some(READ_TIMEOUT))
            .max_redirects(MAX_REDIRECTS)
            .max_redirects_will_error(true)
            .http_status_as_error(false)
            .proxy(ureq::Proxy::try_from_env())
            .user_agent(concat!("qemu-functional/", env!("CARGO_PKG_VERSION")))
            .build()
            .into()
    })
}

fn network(url: &str, err: ureq::Error, deadline: &Deadline) -> AssetError {
    match err {
        ureq::Error::TooManyRedirects => AssetError::TooManyRedirects {
            url: url.to_owned(),
            limit: MAX_REDIRECTS,
        },
        ureq::Error::Timeout(_) if deadline.passed() => deadline.error(url),
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => AssetError::Unreachable {
            url: url.to_owned(),
            reason: err.to_string(),
        },
        ureq::Error::Io(ref io)
            if matches!(
                io.kind(),
                io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::NetworkUnreachable
                    | io::ErrorKind::HostUnreachable
            ) || !resolves(url) =>
        {
            AssetError::Unreachable {
                url: url.to_owned(),
                reason: err.to_string(),
            }
        }
        err => AssetError::Network {
            url: url.to_owned(),
            reason: err.to_string(),
        },
    }
}

/// Whether the URL's host has an address: the resolver's failure comes
/// back from ureq as an untyped I/O error, so it is asked again here.
fn resolves(url: &str) -> bool {
    use std::net::ToSocketAddrs;
    let Ok(uri) = url.parse::<ureq::http::Uri>() else {
        return true;
    };
    let Some(host) = uri.host() else {
        return true;
    };
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("https") {
            443
        } else {
            80
        });
    (host.trim_start_matches('[').trim_end_matches(']'), port)
        .to_socket_addrs()
        .is_ok_and(|mut addrs| addrs.next().is_some())
}

fn retry_helps(err: &AssetError) -> bool {
    matches!(
        err,
        AssetError::Truncated { .. } | AssetError::Network { .. }
    ) || matches!(err, AssetError::Http { status, .. } if *status >= 500)
}
