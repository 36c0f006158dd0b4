//! The asset cache against a real HTTP server on 127.0.0.1: what is cached,
//! what fails, what skips, and what is left in the cache after each.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use qemu_fixtures::assets::download::{DownloadLimits, MAX_REDIRECTS};
use qemu_fixtures::assets::{Algorithm, Asset, AssetError, Cache, Hasher, How, Mirror, Quiet};
use qemu_fixtures::prelude::*;

use crate::http::{Route, Server, refused_url};
use crate::support::scenario_command;

/// Some bytes and an asset for them at `url`.
fn payload(size: usize, seed: u8) -> Vec<u8> {
    (0..size)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn asset_for(url: &str, body: &[u8], algorithm: Algorithm) -> Asset {
    let mut hasher = Hasher::new(algorithm);
    hasher.update(body);
    Asset::parse(url, hasher.finish()).expect("a valid asset")
}

fn cache_in(env: &TestEnv) -> Cache {
    Cache::at(env.scratch_file(["cache", "download"]))
}

/// The files of the cache directory, by name.
fn listing(cache: &Cache) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cache.dir())
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Nothing but lock files: no asset, no partial download.
fn holds_no_data(cache: &Cache) -> bool {
    listing(cache).iter().all(|name| name.ends_with(".lock"))
}

#[qemu_test]
fn a_download_is_verified_cached_read_only_and_reused(env: Arc<TestEnv>) -> TestResult {
    let body = payload(300_000, 1);
    let server = Server::start(vec![("/kernel", Route::Body(body.clone()))]);
    let asset = asset_for(&server.url("/kernel"), &body, Algorithm::Sha256);
    let cache = cache_in(&env);
    let first = cache.fetch(&asset, &Quiet)?;
    ensure!(
        first.how
            == How::Downloaded {
                bytes: body.len() as u64,
                from_mirror: false
            },
        "first fetch: {:?}",
        first.how
    );
    ensure!(
        first.path == cache.dir().join(asset.hash()),
        "cached at {}",
        first.path.display()
    );
    ensure!(
        std::fs::read(&first.path).ok() == Some(body.clone()),
        "the cached bytes differ"
    );
    let mode = std::fs::metadata(&first.path)
        .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()))
        .ok();
    ensure!(
        mode.is_some_and(|mode| mode & 0o222 == 0),
        "the cached file is writable: {mode:?}"
    );
    let second = cache.fetch(&asset, &Quiet)?;
    ensure!(second.how == How::Trusted, "second fetch: {:?}", second.how);
    ensure!(
        server.hits("/kernel") == 1,
        "{} downloads",
        server.hits("/kernel")
    );
    Ok(())
}

#[qemu_test]
fn sha512_assets_work_too(env: Arc<TestEnv>) -> TestResult {
    let body = payload(5000, 2);
    let server = Server::start(vec![("/image", Route::Body(body.clone()))]);
    let asset = asset_for(&server.url("/image"), &body, Algorithm::Sha512);
    ensure!(asset.hash().len() == 128, "not a sha512");
    cache_in(&env).fetch(&asset, &Quiet)?;
    Ok(())
}

#[qemu_test]
fn http_404_fails_the_test_and_leaves_nothing(env: Arc<TestEnv>) -> TestResult {
    let server = Server::start(vec![]);
    let asset = asset_for(&server.url("/gone"), b"whatever", Algorithm::Sha256);
    let cache = cache_in(&env);
    let err = cache.fetch(&asset, &Quiet).unwrap_err();
    ensure!(
        matches!(err, AssetError::Http { status: 404, .. }),
        "{err:?}"
    );
    ensure!(err.to_string().ends_with("/gone: HTTP 404"), "{err}");
    ensure!(
        matches!(TestError::from(err), TestError::Asset(_)),
        "a 404 must fail the test, not skip it"
    );
    ensure!(
        holds_no_data(&cache),
        "left in the cache: {:?}",
        listing(&cache)
    );
    Ok(())
}

#[qemu_test]
fn http_500_and_a_refused_connection_skip_the_test(env: Arc<TestEnv>) -> TestResult {
    let server = Server::start(vec![("/busy", Route::Status(500))]);
    let mut cache = cache_in(&env);
    let limits = quick_retries();
    cache.limits = Some(limits);
    let busy = asset_for(&server.url("/busy"), b"x", Algorithm::Sha256);
    let err = cache.fetch(&busy, &Quiet).unwrap_err();
    ensure!(
        matches!(err, AssetError::Http { status: 500, .. }),
        "{err:?}"
    );
    ensure!(
        server.hits("/busy") == limits.attempts as usize,
        "tried {} times, not {}",
        server.hits("/busy"),
        limits.attempts
    );
    match TestError::from(err) {
        TestError::Skip(skip)
            if skip.reason().starts_with("download failed: ")
                && skip.reason().ends_with("HTTP 500") => {}
        other => return Err(TestError::check(format!("expected a skip, got {other:?}"))),
    }
    let refused = asset_for(&refused_url(), b"x", Algorithm::Sha256);
    let notes = Notes::default();
    let err = cache.fetch(&refused, &notes).unwrap_err();
    ensure!(
        matches!(err, AssetError::Unreachable { .. }) && err.is_transient(),
        "a refused connection is transient and says the host is unreachable: {err:?}"
    );
    // An offline machine gets its answer at once: no backoff, no retry.
    let notes = notes.0.lock().unwrap();
    ensure!(
        !notes.iter().any(|note| note.contains("trying again")),
        "a refused connection was retried: {notes:?}"
    );
    ensure!(
        matches!(TestError::from(err), TestError::Skip(_)),
        "a refused connection must skip"
    );
    ensure!(
        holds_no_data(&cache),
        "left in the cache: {:?}",
        listing(&cache)
    );
    Ok(())
}

#[qemu_test]
fn a_truncated_body_is_rejected(env: Arc<TestEnv>) -> TestResult {
    let body = payload(100_000, 3);
    let server = Server::start(vec![(
        "/short",
        Route::Truncated {
            body: body.clone(),
            sent: 40_000,
        },
    )]);
    let asset = asset_for(&server.url("/short"), &body, Algorithm::Sha256);
    let mut cache = cache_in(&env);
    cache.limits = Some(quick_retries());
    let err = cache.fetch(&asset, &Quiet).unwrap_err();
    ensure!(err.is_transient(), "a cut connection may pass: {err:?}");
    ensure!(
        err.to_string().contains("40000"),
        "the error should say how far it got: {err}"
    );
    ensure!(
        holds_no_data(&cache),
        "left in the cache: {:?}",
        listing(&cache)
    );
    Ok(())
}

#[qemu_test]
fn a_wrong_hash_fails_and_leaves_nothing_in_the_cache(env: Arc<TestEnv>) -> TestResult {
    let server = Server::start(vec![("/tampered", Route::Body(payload(10_000, 4)))]);
    let asset = asset_for(
        &server.url("/tampered"),
        b"what the test expects",
        Algorithm::Sha256,
    );
    let cache = cache_in(&env);
    let err = cache.fetch(&asset, &Quiet).unwrap_err();
    ensure!(matches!(err, AssetError::HashMismatch { .. }), "{err:?}");
    ensure!(
        err.to_string()
            .contains(&format!("expected {}", asset.hash())),
        "the error should name both hashes: {err}"
    );
    ensure!(
        matches!(TestError::from(err), TestError::Asset(_)),
        "a mismatch must fail"
    );
    ensure!(
        holds_no_data(&cache),
        "left in the cache: {:?}",
        listing(&cache)
    );
    Ok(())
}

/// Collects what a fetch notes (its retries among them).
#[derive(Default)]
struct Notes(std::sync::Mutex<Vec<String>>);

impl qemu_fixtures::assets::Progress for Notes {
    fn note(&self, message: &str) {
        self.0.lock().unwrap().push(message.to_owned());
    }
}

fn fetch_in_child(asset: &Asset, cache: &Cache) -> std::process::Command {
    // Each child its own name, so each has its own log directory.
    static CHILDREN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let child = CHILDREN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("scenario::fetches_an_asset::child_{child}");
    let mut command = scenario_command(
        "fetches_an_asset",
        &[
            ("NEXTEST_TEST_NAME", name.as_str()),
            ("QEMU_TEST_FETCH_URL", asset.url()),
            ("QEMU_TEST_FETCH_HASH", asset.hash()),
            ("QEMU_TEST_FETCH_DIR", cache.dir().to_str().expect("utf-8")),
        ],
    );
    command.stdout(Stdio::null()).stderr(Stdio::piped());
    command
}

#[qemu_test]
fn eight_processes_fetching_one_asset_download_it_once(env: Arc<TestEnv>) -> TestResult {
    let body = payload(400_000, 5);
    let server = Server::start(vec![(
        "/big",
        Route::Slow {
            body: body.clone(),
            pause: Duration::from_millis(50),
        },
    )]);
    let asset = asset_for(&server.url("/big"), &body, Algorithm::Sha256);
    let cache = cache_in(&env);
    let children: Vec<_> = (0..8)
        .map(|_| fetch_in_child(&asset, &cache).spawn())
        .collect::<Result<_, _>>()
        .map_err(|err| TestError::io("starting the fetchers", err))?;
    for child in children {
        let output = child
            .wait_with_output()
            .map_err(|err| TestError::io("waiting for a fetcher", err))?;
        ensure!(
            output.status.success(),
            "a fetcher failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    ensure!(
        server.hits("/big") == 1,
        "8 processes made {} downloads",
        server.hits("/big")
    );
    ensure!(
        std::fs::read(cache.path_of(&asset)).ok() == Some(body),
        "wrong bytes cached"
    );
    Ok(())
}

#[qemu_test]
fn a_killed_downloader_leaves_nothing_that_blocks_the_next(env: Arc<TestEnv>) -> TestResult {
    let body = payload(200_000, 6);
    let server = Server::start(vec![(
        "/flaky",
        Route::HangFirst {
            body: body.clone(),
            hang: Duration::from_secs(30),
        },
    )]);
    let asset = asset_for(&server.url("/flaky"), &body, Algorithm::Sha256);
    let cache = cache_in(&env);
    let mut child = fetch_in_child(&asset, &cache)
        .spawn()
        .map_err(|err| TestError::io("starting the fetcher", err))?;
    let part = cache.dir().join(format!("{}.part", asset.hash()));
    let started = Instant::now();
    // Killed mid-download: once its request reached the server, or the
    // next fetch would be the one the server hangs on.
    while !part.exists() || server.hits("/flaky") == 0 {
        ensure!(
            started.elapsed() < Duration::from_secs(20),
            "the child never started its download"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    ensure!(
        part.exists(),
        "the killed download left no partial file to recover"
    );
    let fetched = cache.fetch(&asset, &Quiet)?;
    ensure!(
        matches!(fetched.how, How::Downloaded { .. }),
        "{:?}",
        fetched.how
    );
    ensure!(!part.exists(), "the partial file is still there");
    ensure!(
        std::fs::read(&fetched.path).ok() == Some(body),
        "wrong bytes cached"
    );
    Ok(())
}

#[qemu_test]
fn the_mirror_is_tried_first_and_a_miss_falls_back(env: Arc<TestEnv>) -> TestResult {
    let body = payload(50_000, 7);
    let server = Server::start(vec![("/origin", Route::Body(body.clone()))]);
    let asset = asset_for(&server.url("/origin"), &body, Algorithm::Sha256);
    // A directory mirror that has it: the origin is never asked.
    let mirror_dir = env.scratch_file(["mirror"]);
    std::fs::create_dir_all(&mirror_dir).map_err(|err| TestError::io("mkdir", err))?;
    std::fs::write(mirror_dir.join(asset.hash()), &body)
        .map_err(|err| TestError::io("mirror", err))?;
    let mut cache = Cache::at(env.scratch_file(["cache-a", "download"]));
    cache.mirror = Some(Mirror::Directory(mirror_dir.clone()));
    let fetched = cache.fetch(&asset, &Quiet)?;
    ensure!(
        matches!(
            fetched.how,
            How::Downloaded {
                from_mirror: true,
                ..
            }
        ),
        "{:?}",
        fetched.how
    );
    ensure!(
        server.hits("/origin") == 0,
        "the origin was asked despite the mirror"
    );
    // An HTTP mirror that lacks it: the origin serves it.
    let mut cache = Cache::at(env.scratch_file(["cache-b", "download"]));
    cache.mirror = Some(Mirror::Url(server.url("/mirror")));
    let fetched = cache.fetch(&asset, &Quiet)?;
    ensure!(
        matches!(
            fetched.how,
            How::Downloaded {
                from_mirror: false,
                ..
            }
        ),
        "{:?}",
        fetched.how
    );
    ensure!(
        server.hits(&format!("/mirror/{}", asset.hash())) == 1,
        "the mirror was not asked"
    );
    ensure!(
        server.hits("/origin") == 1,
        "the origin was not asked after the miss"
    );
    // A mirror with a bad copy is not believed.
    std::fs::write(mirror_dir.join(asset.hash()), b"corrupt")
        .map_err(|err| TestError::io("mirror", err))?;
    let mut cache = Cache::at(env.scratch_file(["cache-c", "download"]));
    cache.mirror = Some(Mirror::Directory(mirror_dir));
    let fetched = cache.fetch(&asset, &Quiet)?;
    ensure!(
        std::fs::read(&fetched.path).ok() == Some(body),
        "the bad mirror copy was cached"
    );
    Ok(())
}

#[qemu_test]
fn no_download_skips_what_is_not_cached(env: Arc<TestEnv>) -> TestResult {
    let body = payload(1000, 8);
    let server = Server::start(vec![("/a", Route::Body(body.clone()))]);
    let asset = asset_for(&server.url("/a"), &body, Algorithm::Sha256);
    let mut cache = cache_in(&env);
    cache.no_download = true;
    let err = cache.fetch(&asset, &Quiet).unwrap_err();
    ensure!(
        matches!(err, AssetError::DownloadDisabled { .. }),
        "{err:?}"
    );
    ensure!(err.to_string().contains("QEMU_TEST_NO_DOWNLOAD"), "{err}");
    ensure!(
        matches!(TestError::from(err), TestError::Skip(_)),
        "must skip"
    );
    ensure!(
        server.hits("/a") == 0,
        "downloaded despite QEMU_TEST_NO_DOWNLOAD"
    );
    cache.no_download = false;
    cache.fetch(&asset, &Quiet)?;
    cache.no_download = true;
    cache.fetch(&asset, &Quiet)?;
    ensure!(server.hits("/a") == 1, "{} downloads", server.hits("/a"));
    Ok(())
}

fn change_in_place(path: &Path, keep_mtime: bool) -> Result<(), TestError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|err| TestError::io("stat", err))?;
    let mtime = meta.modified().map_err(|err| TestError::io("mtime", err))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
        .map_err(|err| TestError::io("chmod", err))?;
    let mut bytes = std::fs::read(path).map_err(|err| TestError::io("read", err))?;
    bytes[0] ^= 0xff;
    std::fs::write(path, &bytes).map_err(|err| TestError::io("write", err))?;
    if keep_mtime {
        // Same size and mtime: only the ctime tells.
        let file = std::fs::File::options()
            .write(true)
            .open(path)
            .map_err(|err| TestError::io("open", err))?;
        file.set_modified(mtime)
            .map_err(|err| TestError::io("touch", err))?;
    }
    Ok(())
}

#[qemu_test]
fn a_file_changed_in_the_cache_is_caught_and_fetched_again(env: Arc<TestEnv>) -> TestResult {
    let body = payload(20_000, 9);
    let server = Server::start(vec![("/b", Route::Body(body.clone()))]);
    let asset = asset_for(&server.url("/b"), &body, Algorithm::Sha256);
    let cache = cache_in(&env);
    let path: PathBuf = cache.fetch(&asset, &Quiet)?.path;
    for keep_mtime in [false, true] {
        change_in_place(&path, keep_mtime)?;
        let fetched = cache.fetch(&asset, &Quiet)?;
        ensure!(
            matches!(fetched.how, How::Downloaded { .. }),
            "{:?}",
            fetched.how
        );
        ensure!(
            std::fs::read(&path).ok() == Some(body.clone()),
            "the changed file was handed out"
        );
    }
    ensure!(server.hits("/b") == 3, "{} downloads", server.hits("/b"));
    // Forced verification hashes a good file again, and trusts nothing.
    let mut always = cache.clone();
    always.verify_always = true;
    ensure!(
        always.fetch(&asset, &Quiet)?.how == How::Verified,
        "not verified"
    );
    Ok(())
}

fn age(path: &Path, days: u64) -> Result<(), TestError> {
    use std::os::unix::fs::PermissionsExt;
    let then = std::time::SystemTime::now() - Duration::from_secs(days * 86_400);
    let mode = std::fs::metadata(path)
        .map_err(|err| TestError::io("stat", err))?
        .permissions()
        .mode();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode | 0o200))
        .map_err(|err| TestError::io("chmod", err))?;
    let file = std::fs::File::options()
        .append(true)
        .open(path)
        .map_err(|err| TestError::io("open", err))?;
    file.set_modified(then)
        .map_err(|err| TestError::io("touch", err))?;
    Ok(())
}

#[qemu_test]
fn gc_removes_what_nothing_declares_and_never_what_is_in_use(env: Arc<TestEnv>) -> TestResult {
    let bodies: Vec<Vec<u8>> = (0..4).map(|seed| payload(10_000, 20 + seed)).collect();
    let routes = ["/kept", "/old", "/gone", "/busy"];
    let server = Server::start(
        routes
            .iter()
            .zip(&bodies)
            .map(|(path, body)| (*path, Route::Body(body.clone())))
            .collect(),
    );
    let [kept, old, gone, busy]: [Asset; 4] = routes
        .iter()
        .zip(&bodies)
        .map(|(path, body)| asset_for(&server.url(path), body, Algorithm::Sha256))
        .collect::<Vec<_>>()
        .try_into()
        .expect("four assets");
    let cache = cache_in(&env);
    for asset in [&kept, &old, &gone] {
        cache.fetch(asset, &Quiet)?;
    }
    // Still leased, as by a test that is running: gc must leave it.
    let lease = cache.fetch(&busy, &Quiet)?;
    // An extraction of the undeclared asset, which goes with it.
    let extraction = cache
        .extract_dir()
        .join(gone.hash())
        .join("0123456789abcdef");
    std::fs::create_dir_all(&extraction).map_err(|err| TestError::io("mkdir", err))?;
    std::fs::write(extraction.join("vmlinuz"), b"kernel")
        .map_err(|err| TestError::io("write", err))?;
    // A download that a killed process left behind.
    let orphan = cache.dir().join(format!("{}.part", "ab".repeat(32)));
    std::fs::write(&orphan, b"partial").map_err(|err| TestError::io("orphan", err))?;
    for path in [
        cache.path_of(&old),
        cache.dir().join(format!("{}.verified", old.hash())),
    ] {
        age(&path, 30)?;
    }
    let declared = [kept.clone(), old.clone()];
    let month = Some(Duration::from_secs(20 * 86_400));
    let dry = cache.gc(&declared, month, true)?;
    ensure!(
        cache.path_of(&gone).exists() && orphan.exists(),
        "a dry run removed files"
    );
    let removed = |report: &qemu_fixtures::assets::GcReport| -> Vec<PathBuf> {
        report
            .removed
            .iter()
            .map(|(path, _)| path.clone())
            .collect()
    };
    let report = cache.gc(&declared, month, false)?;
    ensure!(
        removed(&dry) == removed(&report),
        "the dry run promised {:?}, gc did {:?}",
        removed(&dry),
        removed(&report)
    );
    for asset in [&old, &gone] {
        ensure!(
            !cache.path_of(asset).exists(),
            "{} survived gc",
            asset.url()
        );
    }
    ensure!(
        !orphan.exists(),
        "the orphaned partial download survived gc"
    );
    ensure!(
        cache.path_of(&kept).exists(),
        "gc removed a declared, recent asset"
    );
    ensure!(cache.path_of(&busy).exists(), "gc removed a file in use");
    ensure!(
        report.in_use == [cache.path_of(&busy)],
        "in use: {:?}",
        report.in_use
    );
    ensure!(
        report.bytes_freed() >= 20_000,
        "freed {} bytes",
        report.bytes_freed()
    );
    drop(lease);
    let report = cache.gc(&declared, None, false)?;
    ensure!(
        !cache.path_of(&busy).exists(),
        "released, the undeclared asset goes: {report:?}"
    );
    Ok(())
}

/// The default bounds, with pauses between retries short enough for a test.
fn quick_retries() -> DownloadLimits {
    DownloadLimits {
        first_pause: Duration::from_millis(100),
        ..DownloadLimits::default()
    }
}

#[qemu_test]
fn a_dripping_server_is_cut_at_the_bound_of_qemu_test_download_timeout(
    env: Arc<TestEnv>,
) -> TestResult {
    // One byte every 10 ms: a minute for the body, were nothing to stop it.
    let body = payload(6000, 10);
    let server = Server::start(vec![(
        "/drip",
        Route::Drip {
            body: body.clone(),
            interval: Duration::from_millis(10),
        },
    )]);
    let asset = asset_for(&server.url("/drip"), &body, Algorithm::Sha256);
    let cache = cache_in(&env);
    let started = Instant::now();
    // One downloads, the others wait for it: all must give up at the bound.
    let children: Vec<_> = (0..3)
        .map(|_| {
            fetch_in_child(&asset, &cache)
                .env("QEMU_TEST_DOWNLOAD_TIMEOUT", "2")
                .spawn()
        })
        .collect::<Result<_, _>>()
        .map_err(|err| TestError::io("starting the fetchers", err))?;
    for child in children {
        let output = child
            .wait_with_output()
            .map_err(|err| TestError::io("waiting for a fetcher", err))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        ensure!(
            stderr.contains("SKIP: download failed: ")
                && stderr.contains(asset.url())
                && stderr.contains("not fetched within 2s")
                && stderr.contains("QEMU_TEST_DOWNLOAD_TIMEOUT"),
            "a fetcher did not skip naming the URL and the bound: {stderr}"
        );
    }
    ensure!(
        started.elapsed() < Duration::from_secs(40),
        "the fetchers took {:?}, as long as the drip itself",
        started.elapsed()
    );
    ensure!(
        server.hits("/drip") == 1,
        "{} downloads",
        server.hits("/drip")
    );
    ensure!(
        holds_no_data(&cache),
        "left in the cache: {:?}",
        listing(&cache)
    );
    Ok(())
}

#[qemu_test]
fn an_endless_body_stops_at_the_size_cap_and_leaves_nothing(env: Arc<TestEnv>) -> TestResult {
    let server = Server::start(vec![("/endless", Route::Endless)]);
    let asset = asset_for(&server.url("/endless"), b"anything", Algorithm::Sha256);
    let mut cache = cache_in(&env);
    cache.limits = Some(DownloadLimits {
        max_bytes: 1 << 20,
        ..quick_retries()
    });
    let err = cache.fetch(&asset, &Quiet).unwrap_err();
    ensure!(
        matches!(err, AssetError::TooLarge { limit: 1048576, .. }),
        "{err:?}"
    );
    ensure!(
        err.to_string().contains("1048576 bytes")
            && err.to_string().contains("QEMU_TEST_DOWNLOAD_MAX_BYTES"),
        "the error should name the cap: {err}"
    );
    ensure!(
        server.hits("/endless") == 1,
        "an endless body was tried {} times",
        server.hits("/endless")
    );
    ensure!(
        matches!(TestError::from(err), TestError::Asset(_)),
        "a body past the cap is not the asset: it must fail"
    );
    ensure!(
        holds_no_data(&cache),
        "left in the cache: {:?}",
        listing(&cache)
    );
    Ok(())
}

#[qemu_test]
fn a_body_longer_than_its_content_length_is_rejected(env: Arc<TestEnv>) -> TestResult {
    let body = payload(20_000, 11);
    let server = Server::start(vec![(
        "/longer",
        Route::Longer {
            body: body.clone(),
            announced: 10_000,
        },
    )]);
    // The hash is of everything sent. HTTP frames the body by its
    // Content-Length, so ureq hands over the announced bytes and no more:
    // what is judged (and written) is those, which cannot match.
    let asset = asset_for(&server.url("/longer"), &body, Algorithm::Sha256);
    let mut cache = cache_in(&env);
    cache.limits = Some(quick_retries());
    let err = cache.fetch(&asset, &Quiet).unwrap_err();
    ensure!(
        matches!(
            err,
            AssetError::LongerThanAnnounced {
                expected: 10_000,
                ..
            } | AssetError::HashMismatch { .. }
        ),
        "{err:?}"
    );
    ensure!(
        matches!(TestError::from(err), TestError::Asset(_)),
        "must fail"
    );
    ensure!(
        holds_no_data(&cache),
        "left in the cache: {:?}",
        listing(&cache)
    );
    Ok(())
}

#[qemu_test]
fn http_503_is_retried_a_bounded_number_of_times_with_growing_pauses(
    env: Arc<TestEnv>,
) -> TestResult {
    let server = Server::start(vec![("/unavailable", Route::Status(503))]);
    let asset = asset_for(&server.url("/unavailable"), b"x", Algorithm::Sha256);
    let mut cache = cache_in(&env);
    let limits = quick_retries();
    cache.limits = Some(limits);
    let err = cache.fetch(&asset, &Quiet).unwrap_err();
    ensure!(
        matches!(err, AssetError::Http { status: 503, .. }),
        "{err:?}"
    );
    let times = server.hit_times("/unavailable");
    ensure!(
        times.len() == limits.attempts as usize,
        "{} requests, not {}",
        times.len(),
        limits.attempts
    );
    // Each pause is at least twice the one before: sleeps end no earlier
    // than asked, however loaded the machine.
    let mut pause = limits.first_pause;
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        ensure!(
            gap >= pause,
            "a retry came {gap:?} after the previous request, before the {pause:?} backoff; all: {:?}",
            times.windows(2).map(|p| p[1] - p[0]).collect::<Vec<_>>()
        );
        pause *= 2;
    }
    ensure!(
        matches!(TestError::from(err), TestError::Skip(_)),
        "a 503 may pass later: a skip"
    );
    Ok(())
}

#[qemu_test]
fn a_redirect_loop_ends_after_a_bounded_number_of_requests(env: Arc<TestEnv>) -> TestResult {
    let server = Server::start(vec![("/loop", Route::Redirect("/loop".into()))]);
    let asset = asset_for(&server.url("/loop"), b"x", Algorithm::Sha256);
    let mut cache = cache_in(&env);
    cache.limits = Some(quick_retries());
    let err = cache.fetch(&asset, &Quiet).unwrap_err();
    ensure!(
        matches!(err, AssetError::TooManyRedirects { .. }),
        "{err:?}"
    );
    ensure!(err.to_string().contains("redirects"), "{err}");
    // Not retried: the same loop would come back.
    let hits = server.hits("/loop");
    ensure!(
        (2..=MAX_REDIRECTS as usize + 1).contains(&hits),
        "{hits} requests for a redirect loop"
    );
    ensure!(
        matches!(TestError::from(err), TestError::Skip(_)),
        "a server's redirect loop is its problem, a skip"
    );
    Ok(())
}

#[qemu_test]
fn an_unwritable_cache_dir_fails_the_test_with_the_os_error(env: Arc<TestEnv>) -> TestResult {
    let body = payload(1000, 12);
    let server = Server::start(vec![("/a", Route::Body(body.clone()))]);
    let asset = asset_for(&server.url("/a"), &body, Algorithm::Sha256);
    // Root ignores mode bits; a regular file where a directory must be
    // stops anyone (ENOTDIR).
    let blocker = env.scratch_file(["not-a-dir"]);
    std::fs::write(&blocker, b"a file").map_err(|err| TestError::io("blocker", err))?;
    let cache = Cache::at(blocker.join("download"));
    let err = cache.fetch(&asset, &Quiet).unwrap_err();
    ensure!(
        err.is_local() && matches!(err, AssetError::Write { .. }),
        "{err:?}"
    );
    ensure!(!err.is_transient(), "a local I/O error must not skip");
    let output = fetch_in_child(&asset, &cache)
        .output()
        .map_err(|err| TestError::io("running the fetcher", err))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(!output.status.success(), "the test passed: {stderr}");
    let expected = format!(
        "FAIL: asset cache I/O error: cannot write `{}`: Not a directory",
        cache.dir().display()
    );
    ensure!(
        stderr.contains(&expected) && !stderr.contains("unavailable"),
        "expected {expected:?} in: {stderr}"
    );
    ensure!(server.hits("/a") == 0, "downloaded with nowhere to put it");
    Ok(())
}

#[qemu_test]
fn gc_keeps_other_tools_files_and_declared_debian_packages(env: Arc<TestEnv>) -> TestResult {
    let bodies: Vec<Vec<u8>> = (0..4).map(|seed| payload(4_000, 40 + seed)).collect();
    let routes = ["/ours", "/kernel-deb", "/installer-deb", "/python"];
    let server = Server::start(
        routes
            .iter()
            .zip(&bodies)
            .map(|(path, body)| (*path, Route::Body(body.clone())))
            .collect(),
    );
    let [ours, kernel_deb, installer_deb, python]: [Asset; 4] = routes
        .iter()
        .zip(&bodies)
        .map(|(path, body)| asset_for(&server.url(path), body, Algorithm::Sha256))
        .collect::<Vec<_>>()
        .try_into()
        .expect("four assets");
    let cache = cache_in(&env);
    for asset in [&ours, &kernel_deb, &installer_deb] {
        cache.fetch(asset, &Quiet)?;
    }
    // As the cache records a fetched Debian package: `<hash>.debian` names
    // its package and version, here versions older than apt's candidate.
    for (asset, package) in [
        (&kernel_deb, "linux-image-6.1.0-9-amd64=6.1.27-1"),
        (
            &installer_deb,
            "debian-installer-12-netboot-amd64=20230607+deb12u1",
        ),
    ] {
        std::fs::write(
            cache.dir().join(format!("{}.debian", asset.hash())),
            package,
        )
        .map_err(|err| TestError::io("debian record", err))?;
    }
    // As QEMU's Python framework writes it: the bare `<hash>`, nothing else.
    std::fs::write(cache.path_of(&python), &bodies[3])
        .map_err(|err| TestError::io("python's file", err))?;
    let declared = [
        Asset::debian_via("deb:linux-image-amd64", "linux-image-"),
        Asset::debian("deb:debian-installer-12-netboot-amd64"),
    ];
    let dry = cache.gc(&declared, None, true)?;
    let report = cache.gc(&declared, None, false)?;
    ensure!(
        dry.removed == report.removed,
        "the dry run promised {:?}, gc did {:?}",
        dry.removed,
        report.removed
    );
    ensure!(
        !cache.path_of(&ours).exists(),
        "gc kept an undeclared file of ours"
    );
    for (asset, what) in [
        (&kernel_deb, "a declared metapackage's kernel"),
        (&installer_deb, "a declared Debian package"),
        (&python, "another tool's download"),
    ] {
        ensure!(
            cache.path_of(asset).exists(),
            "gc removed {what}: {:?}",
            report.removed
        );
    }
    ensure!(
        std::fs::read(cache.path_of(&python)).ok().as_deref() == Some(&bodies[3][..]),
        "another tool's file changed"
    );
    ensure!(
        report.foreign == [cache.path_of(&python)],
        "foreign: {:?}",
        report.foreign
    );
    ensure!(
        !cache.dir().join(format!("{}.lock", python.hash())).exists(),
        "gc left a lock file beside another tool's download"
    );
    Ok(())
}
