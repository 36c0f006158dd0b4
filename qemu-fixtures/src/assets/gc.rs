//! Garbage collection of the cache: removes what this framework wrote and
//! no declared asset references, or what was not used for a while, with its
//! extractions; never a file another process holds or another tool wrote.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::cache::{Cache, open_lock};
use super::declare::{Asset, check_hash};
use super::error::AssetError;

/// What `Cache::gc` removed or kept, file by file.
#[derive(Debug, Default)]
pub struct GcReport {
    /// Removed (or, in a dry run, to be removed), with their sizes.
    pub removed: Vec<(PathBuf, u64)>,
    /// Kept although undeclared or old, because a process holds them.
    pub in_use: Vec<PathBuf>,
    /// Declared and recent: kept.
    pub kept: usize,
    /// Without our `.verified` record: another tool's download (QEMU's
    /// Python framework shares the directory), never ours to remove.
    pub foreign: Vec<PathBuf>,
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
    /// extractions and leftovers. Only what this framework wrote goes: a
    /// file without our `<hash>.verified` record is another tool's (QEMU's
    /// Python framework writes bare `<hash>` files into the same
    /// directory). A Debian package is cached by the sha256 of the version
    /// fetched, with `<hash>.debian` naming the package: every cached
    /// version of a declared package stays, whatever apt's candidate is
    /// now. A file whose lock another process holds (a download, a test
    /// using it) is never touched; lock files stay, so that two processes
    /// never lock two different files of one name.
    pub fn gc(
        &self,
        declared: &[Asset],
        older_than: Option<Duration>,
        dry_run: bool,
    ) -> Result<GcReport, AssetError> {
        // A Debian package counts by its name (or the prefix its
        // metapackage follows), and by its current version's hash when apt
        // can say it.
        let mut hashes_declared: std::collections::HashSet<String> = Default::default();
        let mut packages_kept: Vec<(&str, Option<&str>)> = Vec::new();
        for asset in declared {
            if let Some(package) = asset.debian_package() {
                packages_kept.push(package);
            }
            if let Ok(concrete) = asset.resolve() {
                hashes_declared.insert(concrete.hash().to_owned());
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
            // Our record; QEMU's Python framework writes the bare `<hash>`.
            let foreign = !leftovers_only && !self.dir.join(format!("{hash}.verified")).exists();
            let package_kept = fs::read_to_string(self.dir.join(format!("{hash}.debian")))
                .is_ok_and(|package| {
                    let name = package.trim().split('=').next().unwrap_or_default();
                    packages_kept.iter().any(|(kept, via)| {
                        *kept == name || via.is_some_and(|prefix| name.starts_with(prefix))
                    })
                });
            if (declared.contains(hash.as_str()) || package_kept) && !stale && !leftovers_only {
                report.kept += 1;
                continue;
            }
            let part = self.dir.join(format!("{hash}.part"));
            if foreign && !part.exists() {
                report.foreign.push(data);
                continue;
            }
            let lock = open_lock(&self.dir.join(format!("{hash}.lock")))?;
            if lock.try_lock().is_err() {
                report.in_use.push(data);
                continue;
            }
            let mut victims: Vec<PathBuf> = Vec::new();
            if foreign {
                // Not ours: only our own leftover partial download may go.
                report.foreign.push(data);
            } else if !declared.contains(hash.as_str()) || stale {
                victims.push(data);
                victims.push(self.dir.join(format!("{hash}.verified")));
                victims.push(self.dir.join(format!("{hash}.stamp")));
                victims.push(self.dir.join(format!("{hash}.debian")));
                victims.extend(self.extractions_of(&hash));
            }
            // A partial download with its lock free was left by a process
            // that died.
            victims.push(part);
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
