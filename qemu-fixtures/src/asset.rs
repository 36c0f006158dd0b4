//! Assets: files a test needs from elsewhere (kernels, firmware, disk
//! images), declared beside the test by URL and hash, fetched once into a
//! content-addressed cache shared by every test process and by QEMU's
//! Python framework (`$QEMU_TEST_CACHE_DIR/download/<hash>`).
//!
//! Discovery: each `#[asset] static X: Asset = Asset::new(url, hash)` is an
//! element of the link-time slice [`REGISTRY`] (the `linkme` crate), so a
//! test binary knows every asset it declares without running a test and
//! without a list kept by hand. `cargo xtask precache` and `cargo xtask
//! assets gc` read it through each binary's `assets::` test.
//!
//! The cache never hands out a file whose hash was not checked:
//! - a download streams into `<hash>.part`, is hashed on the way, and is
//!   renamed to `<hash>` only when the hash matches;
//! - one process downloads while the others wait on `<hash>.lock` (an
//!   exclusive `flock`, which the kernel releases when its holder dies, so
//!   a killed downloader leaves only a `.part` that the next one removes);
//! - a cached file is hashed in full once; later uses trust it while its
//!   size, mtime, ctime and inode are those recorded in `<hash>.verified`,
//!   and `QEMU_TEST_VERIFY_ASSETS=always` hashes it on every use;
//! - users hold a shared lock on `<hash>.lock` for as long as they use the
//!   file, so `cargo xtask assets gc` never removes a file in use.

use std::borrow::Cow;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};

/// Every asset declared with `#[asset]` in this binary.
#[linkme::distributed_slice]
pub static REGISTRY: [Asset];

/// How long one read from the server may take before the download counts
/// as a network failure.
const READ_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// A process waiting for another's download gives up when the download has
/// not grown for this long (the downloader's own read timeout is shorter).
const STALL_TIMEOUT: Duration = Duration::from_secs(120);
/// How many times a truncated or interrupted download is tried.
const ATTEMPTS: usize = 3;

/// The hash algorithm, chosen by the length of the hex digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    Sha256,
    Sha512,
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        })
    }
}

/// A file fetched by URL and checked by hash, or a Debian package whose
/// hash comes from apt's signed index (`deb:<package>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    url: Cow<'static, str>,
    /// Empty for a Debian package until it is resolved.
    hash: Cow<'static, str>,
    /// For a Debian metapackage: the prefix of the dependency to follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    via: Option<Cow<'static, str>>,
}

impl Asset {
    /// Declares an asset. The hash is 64 lowercase hex digits (sha256) or
    /// 128 (sha512); anything else does not compile when the asset is a
    /// `static`.
    pub const fn new(url: &'static str, hash: &'static str) -> Asset {
        if let Err(message) = check_hash(hash.as_bytes()) {
            panic!("{}", message);
        }
        if let Err(message) = check_scheme(url.as_bytes()) {
            panic!("{}", message);
        }
        Asset {
            url: Cow::Borrowed(url),
            hash: Cow::Borrowed(hash),
            via: None,
        }
    }

    /// Declares a Debian package, `deb:<package>`: fetched with
    /// `apt-get download`, checked against the sha256 of apt's index.
    pub const fn debian(url: &'static str) -> Asset {
        if !starts_with(url.as_bytes(), b"deb:") {
            panic!("a Debian package asset is written deb:<package>");
        }
        Asset {
            url: Cow::Borrowed(url),
            hash: Cow::Borrowed(""),
            via: None,
        }
    }

    /// Declares the package a Debian metapackage depends on, the first
    /// dependency whose name starts with `via`:
    /// `Asset::debian_via("deb:linux-image-amd64", "linux-image-")` is the
    /// current kernel, whatever its ABI number.
    pub const fn debian_via(url: &'static str, via: &'static str) -> Asset {
        if !starts_with(url.as_bytes(), b"deb:") {
            panic!("a Debian package asset is written deb:<package>");
        }
        Asset {
            url: Cow::Borrowed(url),
            hash: Cow::Borrowed(""),
            via: Some(Cow::Borrowed(via)),
        }
    }

    /// Whether the hash comes from apt when fetched.
    pub fn is_debian(&self) -> bool {
        self.url.starts_with("deb:")
    }

    /// The concrete asset of a Debian package: its resolved version and
    /// sha256 (`deb:<package>=<version>`). Other assets are already
    /// concrete.
    pub fn resolve(&self) -> Result<Asset, AssetError> {
        if !self.is_debian() {
            return Ok(self.clone());
        }
        let package = self.url.trim_start_matches("deb:");
        let resolved = crate::debian::resolve(package, self.via.as_deref())?;
        Ok(Asset {
            url: Cow::Owned(resolved.url()),
            hash: Cow::Owned(resolved.sha256),
            via: None,
        })
    }

    /// An asset from text read at run time (a list, a test's own server).
    pub fn parse(url: impl Into<String>, hash: impl Into<String>) -> Result<Asset, AssetError> {
        let (url, hash) = (url.into(), hash.into());
        if url.starts_with("deb:") && hash.is_empty() {
            return Ok(Asset {
                url: Cow::Owned(url),
                hash: Cow::Owned(hash),
                via: None,
            });
        }
        if let Err(message) = check_hash(hash.as_bytes()) {
            return Err(AssetError::InvalidHash {
                url,
                hash,
                message: message.to_owned(),
            });
        }
        if let Err(message) = check_scheme(url.as_bytes()) {
            return Err(AssetError::UnsupportedUrl {
                url,
                message: message.to_owned(),
            });
        }
        Ok(Asset {
            url: Cow::Owned(url),
            hash: Cow::Owned(hash),
            via: None,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn hash(&self) -> &str {
        &self.hash
    }

    pub fn algorithm(&self) -> Algorithm {
        if self.hash.len() == 64 {
            Algorithm::Sha256
        } else {
            Algorithm::Sha512
        }
    }

    /// The last path component of the URL (`day18.tar.xz`), which says what
    /// the file is when the cache names it by hash.
    pub fn file_name(&self) -> &str {
        let path = self.url.split(['?', '#']).next().unwrap_or_default();
        path.rsplit('/').next().unwrap_or_default()
    }

    /// Whether this asset is one of the `#[asset]` statics of this binary.
    pub fn is_registered(&self) -> bool {
        REGISTRY
            .iter()
            .any(|declared| std::ptr::eq(declared, self) || declared == self)
    }
}

impl fmt::Display for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

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

/// What a fetch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// In the cache, trusted by its `.verified` record.
    Trusted,
    /// In the cache, hashed in full now.
    Verified,
    /// Downloaded now; `from_mirror` when the mirror had it.
    Downloaded { bytes: u64, from_mirror: bool },
}

/// A fetched asset: its path in the cache, and a lease that keeps
/// `cargo xtask assets gc` from removing it while held.
#[derive(Debug)]
pub struct Fetched {
    pub path: PathBuf,
    pub how: How,
    /// The asset as fetched: for a Debian package, its version and hash.
    pub concrete: Asset,
    lease: File,
}

impl Fetched {
    /// Keeps the lease for as long as the returned file lives.
    pub fn into_lease(self) -> File {
        self.lease
    }
}

/// Hears about a fetch as it goes: progress bars, log lines.
pub trait Progress: Sync {
    /// A download starts; `total` from Content-Length.
    fn started(&self, _asset: &Asset, _from: &str, _total: Option<u64>) {}
    /// `bytes` more arrived.
    fn advanced(&self, _bytes: u64) {}
    /// Something worth a log line.
    fn note(&self, _message: &str) {}
}

/// Hears nothing.
pub struct Quiet;
impl Progress for Quiet {}

/// Where a mirror serves assets by hash: `<base>/<hash>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mirror {
    Url(String),
    Directory(PathBuf),
}

impl Mirror {
    /// A base URL (`http://`, `https://`, `file://`) or a directory.
    pub fn parse(value: &str) -> Mirror {
        let value = value.trim_end_matches('/');
        if let Some(path) = value.strip_prefix("file://") {
            Mirror::Directory(PathBuf::from(path))
        } else if value.starts_with("http://") || value.starts_with("https://") {
            Mirror::Url(value.to_owned())
        } else {
            Mirror::Directory(PathBuf::from(value))
        }
    }
}

/// The download cache and how it behaves.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    /// `QEMU_TEST_NO_DOWNLOAD`: use only what is cached.
    pub no_download: bool,
    /// `QEMU_TEST_VERIFY_ASSETS=always`: hash a cached file on every use.
    pub verify_always: bool,
    /// `QEMU_TEST_ASSET_MIRROR`: tried before the asset's own URL.
    pub mirror: Option<Mirror>,
}

impl Cache {
    /// The cache of the environment: `$QEMU_TEST_CACHE_DIR/download`, else
    /// `~/.cache/qemu/download`, as QEMU's Python framework has it.
    pub fn from_env() -> Cache {
        let root = std::env::var_os("QEMU_TEST_CACHE_DIR")
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| home().join(".cache").join("qemu"));
        let set = |name: &str| std::env::var_os(name).is_some_and(|value| !value.is_empty());
        Cache {
            dir: root.join("download"),
            no_download: set("QEMU_TEST_NO_DOWNLOAD"),
            verify_always: std::env::var("QEMU_TEST_VERIFY_ASSETS").as_deref() == Ok("always"),
            mirror: std::env::var("QEMU_TEST_ASSET_MIRROR")
                .ok()
                .filter(|mirror| !mirror.is_empty())
                .map(|mirror| Mirror::parse(&mirror)),
        }
    }

    /// A cache in `dir` (the `download` directory itself), no mirror.
    pub fn at(dir: impl Into<PathBuf>) -> Cache {
        Cache {
            dir: dir.into(),
            no_download: false,
            verify_always: false,
            mirror: None,
        }
    }

    /// The `download` directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cache's root (`$QEMU_TEST_CACHE_DIR`), which also holds the
    /// extraction cache.
    pub fn root(&self) -> &Path {
        self.dir.parent().unwrap_or(&self.dir)
    }

    /// Where `asset` lives once fetched.
    pub fn path_of(&self, asset: &Asset) -> PathBuf {
        self.dir.join(asset.hash())
    }

    /// Fetches `asset` into the cache, or finds it there, checked.
    pub fn fetch(&self, asset: &Asset, progress: &dyn Progress) -> Result<Fetched, AssetError> {
        let asset = &asset.resolve()?;
        fs::create_dir_all(&self.dir).map_err(|source| AssetError::Write {
            path: self.dir.clone(),
            source,
        })?;
        let lock_path = self.dir.join(format!("{}.lock", asset.hash()));
        let started = Instant::now();
        let mut last_growth = (Instant::now(), None);
        let mut said_waiting = false;
        loop {
            // Fast path: a checked file needs only a shared lease.
            let lease = open_lock(&lock_path)?;
            if lease.try_lock_shared().is_ok() {
                if let Some(how) = self.check_cached(asset, progress, false)? {
                    return Ok(self.fetched(asset, how, lease));
                }
                drop(lease);
            } else {
                drop(lease);
            }
            let lock = open_lock(&lock_path)?;
            if lock.try_lock().is_ok() {
                let how = self.fetch_locked(asset, progress)?;
                // Keep only a shared lease: others may use the file now.
                lock.unlock().map_err(|source| AssetError::Write {
                    path: lock_path.clone(),
                    source,
                })?;
                let lease = open_lock(&lock_path)?;
                lease.lock_shared().map_err(|source| AssetError::Write {
                    path: lock_path.clone(),
                    source,
                })?;
                return Ok(self.fetched(asset, how, lease));
            }
            // Another process downloads it: wait while its download grows.
            if !said_waiting {
                progress.note(&format!(
                    "waiting for another process downloading {}",
                    asset.url()
                ));
                said_waiting = true;
            }
            let size = fs::metadata(self.part_path(asset))
                .map(|meta| meta.len())
                .ok();
            if size != last_growth.1 {
                last_growth = (Instant::now(), size);
            } else if last_growth.0.elapsed() > STALL_TIMEOUT {
                return Err(AssetError::Stalled {
                    url: asset.url().to_owned(),
                    waited: started.elapsed(),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn fetched(&self, asset: &Asset, how: How, lease: File) -> Fetched {
        Fetched {
            path: self.path_of(asset),
            how,
            concrete: asset.clone(),
            lease,
        }
    }

    /// Under the exclusive lock: check what is cached, else download.
    fn fetch_locked(&self, asset: &Asset, progress: &dyn Progress) -> Result<How, AssetError> {
        if let Some(how) = self.check_cached(asset, progress, true)? {
            return Ok(how);
        }
        if self.no_download {
            return Err(AssetError::DownloadDisabled {
                url: asset.url().to_owned(),
            });
        }
        let part = self.part_path(asset);
        if part.exists() {
            progress.note(&format!(
                "removing {}, left by a download that did not finish",
                part.display()
            ));
            remove(&part)?;
        }
        let (bytes, from_mirror) = self.download(asset, &part, progress)?;
        let path = self.path_of(asset);
        // Read-only, so that a test cannot change a shared file by accident.
        fs::set_permissions(&part, fs::Permissions::from_mode(0o444)).map_err(|source| {
            AssetError::Write {
                path: part.clone(),
                source,
            }
        })?;
        fs::rename(&part, &path).map_err(|source| AssetError::Write {
            path: path.clone(),
            source,
        })?;
        self.record_verified(asset)?;
        if let Some(package) = asset.url().strip_prefix("deb:") {
            // Names the package of a file the cache knows by hash, for gc.
            let record = self.dir.join(format!("{}.debian", asset.hash()));
            fs::write(&record, package).map_err(|source| AssetError::Write {
                path: record,
                source,
            })?;
        }
        Ok(How::Downloaded { bytes, from_mirror })
    }

    /// Whether the cached file can be handed out, hashing it if its record
    /// does not vouch for it. A changed file is removed when `exclusive`
    /// (we hold the lock that downloads take).
    fn check_cached(
        &self,
        asset: &Asset,
        progress: &dyn Progress,
        exclusive: bool,
    ) -> Result<Option<How>, AssetError> {
        let path = self.path_of(asset);
        let Ok(meta) = fs::metadata(&path) else {
            return Ok(None);
        };
        if !self.verify_always
            && self
                .read_verified(asset)
                .is_some_and(|seen| seen == Stamp::of(&meta))
        {
            self.touch_verified(asset);
            return Ok(Some(How::Trusted));
        }
        let actual = hash_file(&path, asset.algorithm()).map_err(|source| AssetError::Read {
            path: path.clone(),
            source,
        })?;
        if actual == asset.hash() {
            self.record_verified(asset)?;
            return Ok(Some(How::Verified));
        }
        progress.note(&format!(
            "cached {} has {} {actual}, not {}: it changed in place; fetching it again",
            path.display(),
            asset.algorithm(),
            asset.hash()
        ));
        if exclusive {
            remove(&self.verified_path(asset))?;
            remove(&path)?;
        }
        Ok(None)
    }

    /// Downloads into `part` from the mirror, then the asset's URL; returns
    /// the bytes written and whether the mirror served them.
    fn download(
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
            let deb = crate::debian::download(
                &crate::debian::Resolved {
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

    fn part_path(&self, asset: &Asset) -> PathBuf {
        self.dir.join(format!("{}.part", asset.hash()))
    }

    fn verified_path(&self, asset: &Asset) -> PathBuf {
        self.dir.join(format!("{}.verified", asset.hash()))
    }

    fn read_verified(&self, asset: &Asset) -> Option<Stamp> {
        let text = fs::read_to_string(self.verified_path(asset)).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn record_verified(&self, asset: &Asset) -> Result<(), AssetError> {
        let path = self.path_of(asset);
        let meta = fs::metadata(&path).map_err(|source| AssetError::Read { path, source })?;
        let stamp = Stamp::of(&meta);
        let target = self.verified_path(asset);
        let tmp = self
            .dir
            .join(format!("{}.verified.{}", asset.hash(), std::process::id()));
        let json = serde_json::to_string(&stamp).expect("a stamp serialises");
        fs::write(&tmp, json)
            .and_then(|()| fs::rename(&tmp, &target))
            .map_err(|source| AssetError::Write {
                path: target,
                source,
            })
    }

    /// Marks the asset as used now, for `assets gc --older-than`.
    fn touch_verified(&self, asset: &Asset) {
        if let Ok(file) = File::options().append(true).open(self.verified_path(asset)) {
            let _ = file.set_modified(SystemTime::now());
        }
    }
}

/// What `Cache::gc` removed or kept, file by file.
#[derive(Debug, Default)]
pub struct GcReport {
    /// Removed (or, in a dry run, to be removed), with their sizes.
    pub removed: Vec<(PathBuf, u64)>,
    /// Kept although undeclared or old, because a process holds them.
    pub in_use: Vec<PathBuf>,
    /// Declared and recent: kept.
    pub kept: usize,
}

impl GcReport {
    pub fn bytes_freed(&self) -> u64 {
        self.removed.iter().map(|(_, size)| size).sum()
    }
}

impl Cache {
    /// The extraction cache, `<root>/extract/<asset hash>/...`, whose
    /// entries go with their asset.
    pub fn extract_dir(&self) -> PathBuf {
        self.root().join("extract")
    }

    /// Removes cached assets that no declared asset references and, with
    /// `older_than`, declared ones not used for that long, with their
    /// extractions and leftovers. A file whose lock another process holds
    /// (a download, a test using it) is never touched; lock files stay, so
    /// that two processes never lock two different files of one name.
    pub fn gc(
        &self,
        declared: &[Asset],
        older_than: Option<Duration>,
        dry_run: bool,
    ) -> Result<GcReport, AssetError> {
        // A Debian package counts by its current version's hash; when apt
        // cannot say, every cached version of it stays.
        let mut hashes_declared: std::collections::HashSet<String> = Default::default();
        let mut packages_kept: std::collections::HashSet<String> = Default::default();
        for asset in declared {
            match asset.resolve() {
                Ok(concrete) => {
                    hashes_declared.insert(concrete.hash().to_owned());
                }
                Err(_) => {
                    packages_kept.insert(asset.url().trim_start_matches("deb:").to_owned());
                }
            }
        }
        let declared: std::collections::HashSet<&str> =
            hashes_declared.iter().map(String::as_str).collect();
        let mut report = GcReport::default();
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Ok(report);
        };
        let mut hashes = std::collections::BTreeSet::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let hash = name.split('.').next().unwrap_or_default().to_owned();
            if check_hash(hash.as_bytes()).is_ok() {
                hashes.insert(hash);
            }
        }
        let now = SystemTime::now();
        for hash in hashes {
            let data = self.dir.join(&hash);
            let last_use = [
                data.clone(),
                self.dir.join(format!("{hash}.verified")),
                self.dir.join(format!("{hash}.stamp")),
            ]
            .iter()
            .filter_map(|path| fs::metadata(path).and_then(|meta| meta.modified()).ok())
            .max();
            let stale = older_than.is_some_and(|limit| {
                last_use.is_none_or(|used| now.duration_since(used).unwrap_or_default() > limit)
            });
            let leftovers_only = !data.exists();
            let package_kept = fs::read_to_string(self.dir.join(format!("{hash}.debian")))
                .is_ok_and(|package| {
                    let name = package.split('=').next().unwrap_or_default();
                    packages_kept
                        .iter()
                        .any(|kept| kept == name || name.starts_with(kept.as_str()))
                });
            if (declared.contains(hash.as_str()) || package_kept) && !stale && !leftovers_only {
                report.kept += 1;
                continue;
            }
            let lock = open_lock(&self.dir.join(format!("{hash}.lock")))?;
            if lock.try_lock().is_err() {
                report.in_use.push(data);
                continue;
            }
            let mut victims: Vec<PathBuf> = Vec::new();
            if !declared.contains(hash.as_str()) || stale {
                victims.push(data);
                victims.push(self.dir.join(format!("{hash}.verified")));
                victims.push(self.dir.join(format!("{hash}.stamp")));
                victims.push(self.dir.join(format!("{hash}.debian")));
                victims.extend(self.extractions_of(&hash));
            }
            // A partial download with its lock free was left by a process
            // that died.
            victims.push(self.dir.join(format!("{hash}.part")));
            for victim in victims {
                let Ok(meta) = fs::symlink_metadata(&victim) else {
                    continue;
                };
                let size = if meta.is_dir() {
                    dir_size(&victim)
                } else {
                    meta.len()
                };
                if !dry_run {
                    let removed = if meta.is_dir() {
                        fs::remove_dir_all(&victim)
                    } else {
                        fs::remove_file(&victim)
                    };
                    removed.map_err(|source| AssetError::Write {
                        path: victim.clone(),
                        source,
                    })?;
                }
                report.removed.push((victim, size));
            }
        }
        Ok(report)
    }

    /// The extraction directories of one asset whose locks are free.
    fn extractions_of(&self, hash: &str) -> Vec<PathBuf> {
        let dir = self.extract_dir().join(hash);
        let Ok(entries) = fs::read_dir(&dir) else {
            return Vec::new();
        };
        entries
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.is_dir())
            .filter(|path| {
                let lock = path.with_extension("lock");
                match File::open(&lock) {
                    Ok(file) => file.try_lock().is_ok(),
                    Err(_) => true,
                }
            })
            .collect()
    }
}

fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => dir_size(&entry.path()),
            _ => entry.metadata().map(|meta| meta.len()).unwrap_or(0),
        })
        .sum()
}

/// What a cached file looked like when it was last hashed in full. The
/// ctime changes with any write or chmod and cannot be set back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
    inode: u64,
    device: u64,
}

impl Stamp {
    fn of(meta: &fs::Metadata) -> Stamp {
        Stamp {
            size: meta.len(),
            mtime_ns: meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128,
            ctime_ns: meta.ctime() as i128 * 1_000_000_000 + meta.ctime_nsec() as i128,
            inode: meta.ino(),
            device: meta.dev(),
        }
    }
}

/// The hex digest of a file.
pub fn hash_file(path: &Path, algorithm: Algorithm) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Hasher::new(algorithm);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hasher.finish());
        }
        hasher.update(&buf[..n]);
    }
}

/// sha256 or sha512, as the asset's hash says.
pub enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    pub fn new(algorithm: Algorithm) -> Hasher {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(hasher) => hasher.update(bytes),
            Hasher::Sha512(hasher) => hasher.update(bytes),
        }
    }

    pub fn finish(self) -> String {
        match self {
            Hasher::Sha256(hasher) => crate::installed::hex(&hasher.finalize()),
            Hasher::Sha512(hasher) => crate::installed::hex(&hasher.finalize()),
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

fn open_lock(path: &Path) -> Result<File, AssetError> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|source| AssetError::Write {
            path: path.to_path_buf(),
            source,
        })
}

fn remove(path: &Path) -> Result<(), AssetError> {
    match fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(AssetError::Write {
            path: path.to_path_buf(),
            source: err,
        }),
        _ => Ok(()),
    }
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .filter(|home| !home.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"))
}

const fn check_hash(hash: &[u8]) -> Result<(), &'static str> {
    if hash.len() != 64 && hash.len() != 128 {
        return Err("an asset hash is 64 hex digits (sha256) or 128 (sha512)");
    }
    let mut i = 0;
    while i < hash.len() {
        if !matches!(hash[i], b'0'..=b'9' | b'a'..=b'f') {
            return Err("an asset hash is lowercase hex: 0-9 and a-f only");
        }
        i += 1;
    }
    Ok(())
}

const fn check_scheme(url: &[u8]) -> Result<(), &'static str> {
    if starts_with(url, b"http://")
        || starts_with(url, b"https://")
        || starts_with(url, b"file://")
        || starts_with(url, b"deb:")
    {
        Ok(())
    } else {
        Err("an asset URL starts with http://, https:// or file:// (or deb: for a Debian package)")
    }
}

const fn starts_with(text: &[u8], prefix: &[u8]) -> bool {
    if text.len() < prefix.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if text[i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA256: &str = "28e71874ce985be66b7fd1345ed88cb2523b982f899c8d2900d6353054a1be49";

    #[test]
    fn the_hash_length_selects_the_algorithm() {
        let sha256 = Asset::parse("https://example.org/a.tar.xz", SHA256).unwrap();
        assert_eq!(sha256.algorithm(), Algorithm::Sha256);
        let sha512 = Asset::parse("https://example.org/a", "ab".repeat(64)).unwrap();
        assert_eq!(sha512.algorithm(), Algorithm::Sha512);
        assert_eq!(sha256.file_name(), "a.tar.xz");
    }

    #[test]
    fn other_hashes_and_schemes_are_rejected_with_a_reason() {
        let short = Asset::parse("https://example.org/a", "abc").unwrap_err();
        assert!(
            short
                .to_string()
                .contains("64 hex digits (sha256) or 128 (sha512)"),
            "{short}"
        );
        let upper = Asset::parse("https://example.org/a", SHA256.to_uppercase()).unwrap_err();
        assert!(upper.to_string().contains("lowercase hex"), "{upper}");
        let md5 =
            Asset::parse("https://example.org/a", "d41d8cd98f00b204e9800998ecf8427e").unwrap_err();
        assert!(matches!(md5, AssetError::InvalidHash { .. }));
        let ftp = Asset::parse("ftp://example.org/a", SHA256).unwrap_err();
        assert!(
            ftp.to_string().contains("http://, https:// or file://"),
            "{ftp}"
        );
    }

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

    #[test]
    fn a_mirror_is_a_url_or_a_directory() {
        assert_eq!(
            Mirror::parse("https://cache.example/qemu/"),
            Mirror::Url("https://cache.example/qemu".into())
        );
        assert_eq!(
            Mirror::parse("file:///srv/assets"),
            Mirror::Directory("/srv/assets".into())
        );
        assert_eq!(
            Mirror::parse("/srv/assets"),
            Mirror::Directory("/srv/assets".into())
        );
    }
}
