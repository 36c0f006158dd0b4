//! The content-addressed cache of assets, `$QEMU_TEST_CACHE_DIR/download/<hash>`
//! shared with QEMU's Python framework: locks, leases and verification records.
//!
//! The cache never hands out a file whose hash was not checked:
//! - a download streams into `<hash>.part`, is hashed on the way, and is
//!   renamed to `<hash>` only when the hash matches;
//! - one process downloads while the others wait on `<hash>.lock` (an
//!   exclusive `flock`, which the kernel releases when its holder dies, so
//!   a killed downloader leaves only a `.part` that the next one removes);
//! - a cached file is hashed in full once; later uses trust it while its
//!   size, mtime, ctime and inode are those recorded in `<hash>.verified`
//!   (the record that says a file is ours: gc removes nothing without it),
//!   and `QEMU_TEST_VERIFY_ASSETS=always` hashes it on every use;
//! - a fetch, waiting included, ends within `DownloadLimits::total`;
//! - users hold a shared lock on `<hash>.lock` for as long as they use the
//!   file, so `cargo xtask assets gc` never removes a file in use.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use super::declare::Asset;
use super::download::{Deadline, DownloadLimits};
use super::error::AssetError;
use super::hash::hash_file;
use super::mirror::Mirror;

/// A process waiting for another's download gives up when the download has
/// not grown for this long (the downloader's own read timeout is shorter),
/// or when its own bound (`DownloadLimits::total`) passes, whichever comes
/// first: a download that drips bytes grows, yet must not hold it for ever.
const STALL_TIMEOUT: Duration = Duration::from_secs(120);

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

/// The download cache and how it behaves.
#[derive(Debug, Clone)]
pub struct Cache {
    pub(super) dir: PathBuf,
    /// `QEMU_TEST_NO_DOWNLOAD`: use only what is cached.
    pub no_download: bool,
    /// `QEMU_TEST_VERIFY_ASSETS=always`: hash a cached file on every use.
    pub verify_always: bool,
    /// `QEMU_TEST_ASSET_MIRROR`: tried before the asset's own URL.
    pub mirror: Option<Mirror>,
    /// The bounds of a fetch; `None` reads `QEMU_TEST_DOWNLOAD_TIMEOUT` and
    /// `QEMU_TEST_DOWNLOAD_MAX_BYTES` when a fetch starts.
    pub limits: Option<DownloadLimits>,
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
            limits: None,
        }
    }

    /// A cache in `dir` (the `download` directory itself), no mirror.
    pub fn at(dir: impl Into<PathBuf>) -> Cache {
        Cache {
            dir: dir.into(),
            no_download: false,
            verify_always: false,
            mirror: None,
            limits: None,
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
        let limits = match self.limits {
            Some(limits) => limits,
            None => DownloadLimits::from_env()?,
        };
        let mut deadline = Deadline::start(limits);
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
                deadline.publish(&lock);
                let how = self.fetch_locked(asset, progress, &deadline)?;
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
            deadline.adopt(&lock_path);
            if deadline.passed() {
                return Err(deadline.error(asset.url()));
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
    fn fetch_locked(
        &self,
        asset: &Asset,
        progress: &dyn Progress,
        deadline: &Deadline,
    ) -> Result<How, AssetError> {
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
        let (bytes, from_mirror) = self.download(asset, &part, progress, deadline)?;
        let path = self.path_of(asset);
        // Read-only, so that a test cannot change a shared file by accident.
        let placed = fs::set_permissions(&part, fs::Permissions::from_mode(0o444))
            .map_err(|source| AssetError::Write {
                path: part.clone(),
                source,
            })
            .and_then(|()| {
                fs::rename(&part, &path).map_err(|source| AssetError::Rename {
                    from: part.clone(),
                    to: path.clone(),
                    source,
                })
            });
        if let Err(err) = placed {
            let _ = fs::remove_file(&part);
            return Err(err);
        }
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

    pub(super) fn part_path(&self, asset: &Asset) -> PathBuf {
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

pub(super) fn open_lock(path: &Path) -> Result<File, AssetError> {
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

pub(super) fn remove(path: &Path) -> Result<(), AssetError> {
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
