//! `cargo xtask precache`: fetch every declared asset before the tests, in
//! parallel, once per hash, with a progress bar per download on a terminal
//! and plain lines elsewhere; then say what was cached, downloaded or not.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::bail;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use qemu_fixtures::assets::{Asset, AssetError, Cache, How, Progress};

use crate::declared::declared_assets;
use crate::flags::Precache;
use crate::nextest::arch_binaries;

impl Precache {
    pub fn run(self) -> anyhow::Result<()> {
        let binaries = arch_binaries(&self.package)?;
        let assets: Vec<Asset> = declared_assets(&binaries)?
            .into_iter()
            .map(|(asset, _)| asset)
            .collect();
        let cache = Cache::from_env();
        println!(
            "precache: {} assets declared by {} test binaries, into {}",
            assets.len(),
            binaries.len(),
            cache.dir().display()
        );
        let outcomes = fetch_all(&cache, &assets, self.jobs.max(1));
        let mut fatal = 0;
        let (mut cached, mut downloaded) = (0, 0);
        for (asset, outcome) in &outcomes {
            match outcome {
                Ok(How::Downloaded { .. }) => downloaded += 1,
                Ok(_) => cached += 1,
                Err(err) => {
                    let kind = failure_kind(err);
                    if kind == "FATAL" {
                        fatal += 1;
                    }
                    println!("failed ({kind}): {asset}: {err}");
                }
            }
        }
        println!(
            "precache: {cached} cached, {downloaded} downloaded, {} failed ({fatal} fatal)",
            outcomes.len() - cached - downloaded
        );
        if let Some(mirror) = &self.mirror {
            let copied = fill_mirror(&cache, &outcomes, mirror)?;
            println!(
                "precache: {copied} assets put in the mirror {}",
                mirror.display()
            );
        }
        if fatal > 0 {
            bail!("{fatal} assets cannot be had: a 404 or a hash mismatch is a broken test");
        }
        Ok(())
    }
}

/// How a failed fetch is reported, as the harness decides a test's fate
/// from it: a transient failure or an asset this machine is not to fetch
/// (`QEMU_TEST_NO_DOWNLOAD`, no apt) skips the tests, so it is no reason
/// for precache to fail; a 404 or a hash mismatch fails them, and precache.
pub fn failure_kind(err: &AssetError) -> &'static str {
    if err.is_transient() {
        "transient"
    } else if let AssetError::DownloadDisabled { .. } | AssetError::Unavailable { .. } = err {
        "not fetched here"
    } else {
        "FATAL"
    }
}

/// Puts each fetched asset in `mirror` as `<hash>`, the layout
/// `QEMU_TEST_ASSET_MIRROR` reads; a hash already there is kept (the cache
/// checked it when it was put there). Returns how many were added.
pub fn fill_mirror(
    cache: &Cache,
    outcomes: &[(Asset, Result<How, AssetError>)],
    mirror: &std::path::Path,
) -> anyhow::Result<usize> {
    use anyhow::Context;
    std::fs::create_dir_all(mirror).with_context(|| format!("creating {}", mirror.display()))?;
    let mut added = 0;
    for (asset, outcome) in outcomes {
        let (Ok(_), false) = (outcome, asset.hash().is_empty()) else {
            continue;
        };
        let target = mirror.join(asset.hash());
        if target.is_file() {
            continue;
        }
        let cached = cache.path_of(asset);
        // A link when the mirror is on the cache's file system, else a copy
        // through a temporary name, so a job never reads half a file.
        if std::fs::hard_link(&cached, &target).is_err() {
            let part = mirror.join(format!("{}.part", asset.hash()));
            std::fs::copy(&cached, &part)
                .with_context(|| format!("copying {} to {}", cached.display(), part.display()))?;
            std::fs::rename(&part, &target)
                .with_context(|| format!("renaming {} to {}", part.display(), target.display()))?;
        }
        added += 1;
    }
    Ok(added)
}

/// Fetches every asset with at most `jobs` downloads at once.
pub fn fetch_all(
    cache: &Cache,
    assets: &[Asset],
    jobs: usize,
) -> Vec<(Asset, Result<How, AssetError>)> {
    let bars = std::io::stderr().is_terminal().then(MultiProgress::new);
    let next = Mutex::new(0usize);
    let outcomes = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(assets.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().unwrap();
                        let index = *next;
                        *next += 1;
                        index
                    };
                    let Some(asset) = assets.get(index) else {
                        break;
                    };
                    let reporter = Reporter {
                        bars: bars.as_ref(),
                        bar: Mutex::new(None),
                        started: Instant::now(),
                    };
                    // A Debian package's hash is known once it is resolved:
                    // the mirror needs it to name the file.
                    let (concrete, outcome) = match cache.fetch(asset, &reporter) {
                        Ok(fetched) => (fetched.concrete.clone(), Ok(fetched.how)),
                        Err(err) => (asset.clone(), Err(err)),
                    };
                    reporter.finish(asset, &outcome);
                    outcomes.lock().unwrap().push((concrete, outcome));
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().unwrap();
    outcomes.sort_by(|a, b| a.0.url().cmp(b.0.url()));
    outcomes
}

/// One download's progress: a bar on a terminal, lines otherwise.
struct Reporter<'a> {
    bars: Option<&'a MultiProgress>,
    bar: Mutex<Option<ProgressBar>>,
    started: Instant,
}

impl Progress for Reporter<'_> {
    fn started(&self, asset: &Asset, from: &str, total: Option<u64>) {
        match self.bars {
            Some(bars) => {
                let bar = match total {
                    Some(total) => ProgressBar::new(total),
                    None => ProgressBar::new_spinner(),
                };
                bar.set_style(
                    ProgressStyle::with_template(
                        "{msg:40!} {bytes:>10}/{total_bytes:10} {bar:30} {eta}",
                    )
                    .expect("a valid template"),
                );
                bar.set_message(asset.file_name().to_owned());
                *self.bar.lock().unwrap() = Some(bars.add(bar));
            }
            None => {
                let size = total
                    .map(|total| format!(" ({total} bytes)"))
                    .unwrap_or_default();
                println!("downloading {asset} from {from}{size}");
            }
        }
    }

    fn advanced(&self, bytes: u64) {
        if let Some(bar) = self.bar.lock().unwrap().as_ref() {
            bar.inc(bytes);
        }
    }

    fn note(&self, message: &str) {
        match self.bars {
            Some(bars) => {
                let _ = bars.println(message);
            }
            None => println!("{message}"),
        }
    }
}

impl Reporter<'_> {
    fn finish(&self, asset: &Asset, outcome: &Result<How, AssetError>) {
        if let Some(bar) = self.bar.lock().unwrap().take() {
            bar.finish_and_clear();
        }
        let seconds = self.started.elapsed().as_secs_f64();
        let line = match outcome {
            Ok(How::Downloaded { bytes, from_mirror }) => format!(
                "downloaded {asset}: {bytes} bytes in {seconds:.1}s{}",
                if *from_mirror { " from the mirror" } else { "" }
            ),
            Ok(_) => format!("cached {asset}"),
            Err(_) => return,
        };
        self.note(&line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mirror_gets_each_fetched_asset_by_hash_once() {
        let root = std::env::temp_dir().join(format!("xtask-mirror-{}", std::process::id()));
        let cache = Cache::at(root.join("cache"));
        let hash = "a".repeat(64);
        let asset = Asset::parse("https://example.invalid/kernel", &hash).unwrap();
        std::fs::create_dir_all(cache.dir()).unwrap();
        std::fs::write(cache.path_of(&asset), b"kernel").unwrap();
        let failed = Asset::parse("https://example.invalid/gone", "b".repeat(64)).unwrap();
        let outcomes = vec![
            (asset.clone(), Ok(How::Trusted)),
            (
                failed,
                Err(AssetError::Http {
                    url: "https://example.invalid/gone".into(),
                    status: 404,
                }),
            ),
        ];
        let mirror = root.join("mirror");
        assert_eq!(fill_mirror(&cache, &outcomes, &mirror).unwrap(), 1);
        assert_eq!(std::fs::read(mirror.join(&hash)).unwrap(), b"kernel");
        assert!(!mirror.join("b".repeat(64)).exists());
        assert_eq!(fill_mirror(&cache, &outcomes, &mirror).unwrap(), 0);
        std::fs::remove_dir_all(root).unwrap();
    }

    /// `QEMU_TEST_NO_DOWNLOAD=1 cargo xtask precache --mirror DIR` fills a
    /// mirror from what the cache holds: the assets it lacks skip their
    /// tests, so they are no failure of precache; a 404 still is.
    #[test]
    fn without_downloads_the_cache_alone_fills_the_mirror() {
        let root = std::env::temp_dir().join(format!("xtask-nodl-{}", std::process::id()));
        let mut cache = Cache::at(root.join("cache"));
        cache.no_download = true;
        let kernel = b"kernel".as_slice();
        let hash = sha256_hex(kernel);
        let held = Asset::parse("https://example.invalid/kernel", &hash).unwrap();
        std::fs::create_dir_all(cache.dir()).unwrap();
        std::fs::write(cache.path_of(&held), kernel).unwrap();
        let lacking = Asset::parse("https://example.invalid/initrd", "c".repeat(64)).unwrap();
        let outcomes = fetch_all(&cache, &[held, lacking], 2);
        let kinds: Vec<_> = outcomes
            .iter()
            .map(|(asset, outcome)| {
                let kind = outcome.as_ref().map_err(failure_kind).err();
                (asset.url().to_owned(), kind)
            })
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    "https://example.invalid/initrd".to_owned(),
                    Some("not fetched here")
                ),
                ("https://example.invalid/kernel".to_owned(), None),
            ]
        );
        let mirror = root.join("mirror");
        assert_eq!(fill_mirror(&cache, &outcomes, &mirror).unwrap(), 1);
        assert_eq!(std::fs::read(mirror.join(&hash)).unwrap(), kernel);
        let not_found = AssetError::Http {
            url: "https://example.invalid/gone".into(),
            status: 404,
        };
        assert_eq!(failure_kind(&not_found), "FATAL");
        std::fs::remove_dir_all(root).unwrap();
    }

    fn sha256_hex(bytes: &[u8]) -> String {
        let mut hasher =
            qemu_fixtures::assets::Hasher::new(qemu_fixtures::assets::Algorithm::Sha256);
        hasher.update(bytes);
        hasher.finish()
    }
}
