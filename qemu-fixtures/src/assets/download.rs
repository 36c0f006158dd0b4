//! Downloading an asset into the cache's `.part` file, hashed on the way:
//! from the mirror first, then by HTTP(S), `file://` or `apt-get download`,
//! retried when a truncated or interrupted download may pass.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

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
/// How many times a truncated or interrupted download is tried.
const ATTEMPTS: usize = 3;

impl Cache {
    /// Downloads into `part` from the mirror, then the asset's URL; returns
    /// the bytes written and whether the mirror served them.
    pub(super) fn download(
        &self,
        asset: &Asset,
        part: &Path,
        progress: &dyn Progress,
    ) -> Result<(u64, bool), AssetError> {
        if let Some(mirror) = &self.mirror {
            let source = match mirror {
                Mirror::Url(base) => format!("{base}/{}", asset.hash()),
                Mirror::Directory(dir) => format!("file://{}", dir.join(asset.hash()).display()),
            };
            match self.download_from(asset, &source, part, progress) {
                Ok(bytes) => return Ok((bytes, true)),
                Err(err) => {
                    progress.note(&format!(
                        "mirror has no good copy ({err}); trying {}",
                        asset.url()
                    ));
                    let _ = fs::remove_file(part);
                }
            }
        }
        let mut attempt = 1;
        loop {
            match self.download_from(asset, asset.url(), part, progress) {
                Ok(bytes) => return Ok((bytes, false)),
                Err(err) if attempt < ATTEMPTS && retry_helps(&err) => {
                    progress.note(&format!("attempt {attempt} of {ATTEMPTS} failed: {err}"));
                    let _ = fs::remove_file(part);
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
    ) -> Result<u64, AssetError> {
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
            let received = copy(&mut file, &mut out, &mut hasher, progress, source, part)?;
            (received, total)
        } else {
            let response = agent()
                .get(source)
                .call()
                .map_err(|err| network(source, err))?;
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
            let received = copy(&mut body, &mut out, &mut hasher, progress, source, part)?;
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

fn copy(
    from: &mut dyn Read,
    to: &mut File,
    hasher: &mut Hasher,
    progress: &dyn Progress,
    source: &str,
    part: &Path,
) -> Result<u64, AssetError> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
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
            .http_status_as_error(false)
            .proxy(ureq::Proxy::try_from_env())
            .user_agent(concat!("qemu-functional/", env!("CARGO_PKG_VERSION")))
            .build()
            .into()
    })
}

fn network(url: &str, err: ureq::Error) -> AssetError {
    AssetError::Network {
        url: url.to_owned(),
        reason: err.to_string(),
    }
}

fn retry_helps(err: &AssetError) -> bool {
    matches!(
        err,
        AssetError::Truncated { .. } | AssetError::Network { .. }
    ) || matches!(err, AssetError::Http { status, .. } if *status >= 500)
}
