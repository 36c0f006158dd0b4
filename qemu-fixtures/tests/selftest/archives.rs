//! Archives and decompression on archives the tests build: every format,
//! whole or one member; hostile archives refused with nothing written
//! outside; link chains that leave only when resolved on disk refused,
//! through the extraction cache, with nothing outside linked or changed;
//! bombs stopped; one extraction for processes that race; a
//! corrupt archive named in the error.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use qemu_fixtures::assets::archive::{self, ArchiveError};
use qemu_fixtures::assets::uncompress::{self, UncompressError};
use qemu_fixtures::assets::unpacked::{self, Request};
use qemu_fixtures::assets::{Asset, Cache};
use qemu_fixtures::prelude::*;

use crate::builders::{Item, build, compress};
use crate::support::run_scenario;

const ALL_FORMATS: [(&str, Format); 10] = [
    ("t.tar", Format::Tar(None)),
    ("t.tar.gz", Format::Tar(Some(Compression::Gzip))),
    ("t.tar.xz", Format::Tar(Some(Compression::Xz))),
    ("t.tar.zst", Format::Tar(Some(Compression::Zstd))),
    ("t.tar.bz2", Format::Tar(Some(Compression::Bzip2))),
    ("t.zip", Format::Zip),
    ("t.cpio", Format::Cpio(None)),
    ("t.cpio.gz", Format::Cpio(Some(Compression::Gzip))),
    ("t.cpio.xz", Format::Cpio(Some(Compression::Xz))),
    ("t.deb", Format::Deb),
];

fn write(path: &Path, bytes: &[u8]) -> Result<(), TestError> {
    std::fs::write(path, bytes)
        .map_err(|err| TestError::io(format!("writing {}", path.display()), err))
}

fn fresh_dir(env: &TestEnv, parts: &[&str]) -> Result<PathBuf, TestError> {
    let dir = env.scratch_file(parts);
    std::fs::create_dir_all(&dir).map_err(|err| TestError::io("mkdir", err))?;
    Ok(dir)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

#[qemu_test]
fn every_format_extracts_whole_and_by_member(env: Arc<TestEnv>) -> TestResult {
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    for (name, format) in ALL_FORMATS {
        ensure!(
            Format::from_name(name) == Some(format),
            "{name} guessed as {:?}",
            Format::from_name(name)
        );
        let mut items = vec![
            Item::Dir("./dir"),
            Item::File("./dir/a.txt", b"alpha"),
            Item::File("dir/sub/b.bin", &big),
            Item::Symlink("dir/link", "a.txt"),
        ];
        if !matches!(format, Format::Zip) {
            items.push(Item::HardLink("dir/hard", "dir/a.txt"));
        }
        let path = env.scratch_file([name]);
        write(&path, &build(format, &items))?;
        let all = fresh_dir(&env, &[&format!("{name}.all")])?;
        archive::extract(&path, &all, format, None, u64::MAX)?;
        ensure!(
            read(&all.join("dir/a.txt")) == b"alpha",
            "{name}: dir/a.txt"
        );
        ensure!(
            read(&all.join("dir/sub/b.bin")) == big,
            "{name}: dir/sub/b.bin"
        );
        let link = std::fs::read_link(all.join("dir/link")).ok();
        ensure!(
            link == Some(PathBuf::from("a.txt")),
            "{name}: dir/link is {link:?}"
        );
        if !matches!(format, Format::Zip) {
            ensure!(read(&all.join("dir/hard")) == b"alpha", "{name}: dir/hard");
        }
        let one = fresh_dir(&env, &[&format!("{name}.one")])?;
        let member = archive::extract(&path, &one, format, Some("./dir/sub/b.bin"), u64::MAX)?;
        ensure!(
            member == one.join("dir/sub/b.bin") && read(&member) == big,
            "{name}: member"
        );
        ensure!(
            !one.join("dir/a.txt").exists(),
            "{name}: member extraction wrote other entries"
        );
        let names = archive::list(&path, format)?;
        ensure!(
            names.contains(&"dir/sub/b.bin".to_owned()),
            "{name}: list gives {names:?}"
        );
        match archive::extract(
            &path,
            &fresh_dir(&env, &[&format!("{name}.none")])?,
            format,
            Some("nope"),
            u64::MAX,
        ) {
            Err(err @ ArchiveError::NoSuchMember { .. }) => {
                ensure!(
                    err.to_string()
                        .contains("no member \"nope\"; it starts with dir"),
                    "{name}: {err}"
                );
            }
            other => {
                return Err(TestError::check(format!(
                    "{name}: expected no such member, got {other:?}"
                )));
            }
        }
    }
    Ok(())
}

/// Whether a refusal is an escape (a link that leads outside) or another
/// unsafe entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Escape,
    Unsafe,
}

fn refusal(result: &Result<PathBuf, ArchiveError>) -> Option<Refusal> {
    match result {
        Err(ArchiveError::Escape { .. }) => Some(Refusal::Escape),
        Err(ArchiveError::Unsafe { .. }) => Some(Refusal::Unsafe),
        _ => None,
    }
}

/// Each hostile case: its entries, the entry the error must name, and the
/// kind of refusal.
fn hostile_cases() -> Vec<(&'static str, Vec<Item<'static>>, &'static str, Refusal)> {
    vec![
        (
            "dotdot",
            vec![Item::File("../../etc/x", b"pwned")],
            "../../etc/x",
            Refusal::Unsafe,
        ),
        (
            "absolute",
            vec![Item::File("/abs", b"pwned")],
            "/abs",
            Refusal::Unsafe,
        ),
        (
            "symlink-out-then-through",
            vec![
                Item::Symlink("out", "../outside"),
                Item::File("out/pwned", b"pwned"),
            ],
            "out",
            Refusal::Escape,
        ),
        (
            "symlink-inside-then-through",
            vec![
                Item::Dir("real"),
                Item::Symlink("alias", "real"),
                Item::File("alias/x", b"x"),
            ],
            "alias/x",
            Refusal::Unsafe,
        ),
        (
            "hardlink-out",
            vec![Item::HardLink("h", "../outside/secret")],
            "h",
            Refusal::Escape,
        ),
        ("device", vec![Item::Device("dev")], "dev", Refusal::Unsafe),
    ]
}

fn expressible(format: Format, items: &[Item]) -> bool {
    items.iter().all(|item| match item {
        Item::HardLink(..) => matches!(format, Format::Tar(_) | Format::Deb),
        Item::Device(_) => !matches!(format, Format::Zip),
        _ => true,
    })
}

#[qemu_test]
fn hostile_archives_are_refused_and_write_nothing_outside(env: Arc<TestEnv>) -> TestResult {
    let mut checked = 0;
    for (case, items, entry, kind) in hostile_cases() {
        for (name, format) in ALL_FORMATS {
            if !expressible(format, &items) {
                continue;
            }
            let dir = fresh_dir(&env, &[case, name])?;
            let outside = fresh_dir(&env, &[case, name, "outside"])?;
            write(&outside.join("secret"), b"secret")?;
            let target = fresh_dir(&env, &[case, name, "a", "b", "target"])?;
            let path = dir.join(name);
            write(&path, &build(format, &items))?;
            let result = archive::extract(&path, &target, format, None, u64::MAX);
            ensure!(
                refusal(&result) == Some(kind),
                "{case} in {name}: expected {kind:?}, got {result:?}"
            );
            let message = result.err().map(|err| err.to_string()).unwrap_or_default();
            ensure!(
                message.contains(&format!("refusing entry {entry:?}")),
                "{case} in {name}: the error does not name {entry:?}: {message}"
            );
            let outside_now: Vec<_> = std::fs::read_dir(&outside)
                .map(|d| d.flatten().map(|e| e.file_name()).collect())
                .unwrap_or_default();
            ensure!(
                outside_now == ["secret"],
                "{case} in {name}: written outside: {outside_now:?}"
            );
            ensure!(
                read(&outside.join("secret")) == b"secret",
                "{case} in {name}: the secret changed"
            );
            ensure!(
                !Path::new("/abs").exists() && !dir.join("etc").exists(),
                "{case} in {name}: escaped"
            );
            checked += 1;
        }
    }
    ensure!(checked >= 40, "only {checked} hostile cases ran");
    Ok(())
}

/// A file outside the target that a link chain aims at: its mode, link
/// count and bytes must be as they were after the archive is refused.
struct Victim {
    path: PathBuf,
}

impl Victim {
    const MODE: u32 = 0o664;

    fn new(path: PathBuf) -> Result<Victim, TestError> {
        write(&path, b"victim")?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(Victim::MODE))
            .map_err(|err| TestError::io(format!("chmod {}", path.display()), err))?;
        Ok(Victim { path })
    }

    fn unchanged(&self, context: &str) -> TestResult {
        let meta = std::fs::symlink_metadata(&self.path)
            .map_err(|err| TestError::io(format!("stat {}", self.path.display()), err))?;
        ensure!(
            meta.nlink() == 1,
            "{context}: {} has {} links: the archive linked it in",
            self.path.display(),
            meta.nlink()
        );
        ensure!(
            meta.mode() & 0o7777 == Victim::MODE,
            "{context}: {} is now mode {:o}",
            self.path.display(),
            meta.mode() & 0o7777
        );
        ensure!(
            read(&self.path) == b"victim",
            "{context}: {} changed",
            self.path.display()
        );
        Ok(())
    }
}

/// One link of a chain: its name, its text, and whether it is a hard link.
struct Link {
    name: String,
    text: String,
    hard: bool,
}

/// A chain that looks inside link by link and leaves on disk, and the
/// entry its error names.
struct Chain {
    case: &'static str,
    links: Vec<Link>,
    named: &'static str,
}

fn symlink(name: &str, text: &str) -> Link {
    Link {
        name: name.to_owned(),
        text: text.to_owned(),
        hard: false,
    }
}

fn hard_link(name: &str, text: &str) -> Link {
    Link {
        name: name.to_owned(),
        text: text.to_owned(),
        hard: true,
    }
}

/// The chains; `deep` links climb from the target to `/`, from where the
/// last one names `far_victim` by its absolute path.
fn chain_cases(deep: usize, far_victim: &str) -> Vec<Chain> {
    let mut climb = vec![symlink("x", "."), symlink("y1", "x/..")];
    for level in 2..=deep {
        climb.push(symlink(&format!("y{level}"), &format!("y{}/..", level - 1)));
    }
    climb.push(hard_link("h", &format!("y{deep}{far_victim}")));
    vec![
        Chain {
            case: "the-issue's-three",
            links: vec![
                symlink("x", "."),
                symlink("y", "x/.."),
                hard_link("h", "y/victim"),
            ],
            named: "y",
        },
        Chain {
            case: "twelve-and-more-to-root",
            links: climb,
            named: "y1",
        },
        Chain {
            case: "symlink-through-an-earlier-symlink",
            links: vec![symlink("x", "."), symlink("y", "x/..")],
            named: "y",
        },
        Chain {
            case: "symlink-that-leaves-once-a-later-one-lands",
            links: vec![symlink("y", "x/.."), symlink("x", ".")],
            named: "y",
        },
        Chain {
            case: "hardlink-through-a-symlink-that-leaves-late",
            links: vec![
                symlink("y", "x/.."),
                symlink("x", "."),
                hard_link("h", "y/victim"),
            ],
            named: "h",
        },
        Chain {
            case: "hardlink-to-a-symlink-to-outside",
            links: vec![
                symlink("s", "x/../victim"),
                symlink("x", "."),
                hard_link("h", "s"),
            ],
            named: "h",
        },
    ]
}

#[qemu_test]
fn link_chains_that_leave_on_disk_are_refused_and_touch_nothing_outside(
    env: Arc<TestEnv>,
) -> TestResult {
    // A victim far away (reached from `/`): the tar header holds 100 bytes
    // of link text, so it lives at a short path on the same filesystem.
    let far_dir = Path::new("/tmp/qemu-fixtures-selftest");
    std::fs::create_dir_all(far_dir).map_err(|err| TestError::io("mkdir", err))?;
    let mut checked = 0;
    for (name, format) in ALL_FORMATS {
        let cache = Cache::at(env.scratch_file(["chains", name, "cache", "download"]));
        let far = Victim::new(far_dir.join(format!("victim.{}.{name}", std::process::id())))?;
        // The temporary target sits in extract/<hash>/: enough `..` from
        // there reach `/`, and more stay at `/`.
        let depth = cache.extract_dir().components().count() + 2;
        let far_text = far.path.display().to_string();
        for Chain { case, links, named } in chain_cases(depth.max(12), &far_text) {
            // Hard links to a named path: tar and deb only.
            let has_hard = links.iter().any(|link| link.hard);
            if has_hard && !matches!(format, Format::Tar(_) | Format::Deb) {
                continue;
            }
            let items: Vec<Item> = links
                .iter()
                .map(|link| match link.hard {
                    true => Item::HardLink(&link.name, &link.text),
                    false => Item::Symlink(&link.name, &link.text),
                })
                .collect();
            let path = env.scratch_file(["chains", name, &format!("{case}.{name}")]);
            write(&path, &build(format, &items))?;
            let asset = file_asset(&path)?;
            let source = cache.fetch(&asset, &qemu_fixtures::assets::Quiet)?.path;
            let beside_dir = cache.extract_dir().join(asset.hash());
            std::fs::create_dir_all(&beside_dir).map_err(|err| TestError::io("mkdir", err))?;
            let beside = Victim::new(beside_dir.join("victim"))?;
            let context = format!("{case} in {name}");
            let result = unpacked::unpack(&cache, &asset, &source, Request::All(format), u64::MAX)
                .map(|unpacked| unpacked.path);
            ensure!(
                refusal(&result) == Some(Refusal::Escape),
                "{context}: expected an escape, got {result:?}"
            );
            let message = result.err().map(|err| err.to_string()).unwrap_or_default();
            let points_to = links
                .iter()
                .find(|link| link.name == named)
                .map(|link| link.text.as_str())
                .unwrap_or_default();
            ensure!(
                message.starts_with(&format!(
                    "`{}`: refusing entry {named:?}: ",
                    source.display()
                )) && message.contains(&format!("{points_to:?} leads outside")),
                "{context}: the error does not name the archive, {named:?} and where it points: {message}"
            );
            beside.unchanged(&context)?;
            far.unchanged(&context)?;
            let left: Vec<String> = std::fs::read_dir(&beside_dir)
                .map(|dir| {
                    dir.flatten()
                        .map(|entry| entry.file_name().to_string_lossy().into_owned())
                        .filter(|left| !left.ends_with(".lock") && left != "victim")
                        .collect()
                })
                .unwrap_or_default();
            ensure!(left.is_empty(), "{context}: left in the cache: {left:?}");
            checked += 1;
        }
        let _ = std::fs::remove_file(&far.path);
    }
    ensure!(checked >= 36, "only {checked} chains ran");
    Ok(())
}

#[qemu_test]
fn links_that_stay_inside_keep_extracting_through_the_cache(env: Arc<TestEnv>) -> TestResult {
    for (name, format) in ALL_FORMATS {
        let mut items = vec![
            Item::Symlink("later", "dir/file"),
            Item::File("dir/file", b"inside"),
            Item::Symlink("x", "."),
            Item::Symlink("dir/up", ".."),
            Item::Symlink("dir/round", "../x/x/dir/file"),
        ];
        if matches!(format, Format::Tar(_) | Format::Deb) {
            // The source named through the archive's own links, inside.
            items.push(Item::HardLink("hard", "x/dir/up/dir/file"));
        }
        let path = env.scratch_file([&format!("benign.{name}")]);
        write(&path, &build(format, &items))?;
        let asset = file_asset(&path)?;
        let cache = Cache::at(env.scratch_file(["benign", name, "cache", "download"]));
        let source = cache.fetch(&asset, &qemu_fixtures::assets::Quiet)?.path;
        let root = unpacked::unpack(&cache, &asset, &source, Request::All(format), u64::MAX)?.path;
        for through in ["later", "dir/file", "dir/round", "x/dir/up/later"] {
            ensure!(
                read(&root.join(through)) == b"inside",
                "{name}: {through} does not read the file"
            );
        }
        let file = std::fs::metadata(root.join("dir/file"))
            .map_err(|err| TestError::io("stat dir/file", err))?;
        ensure!(
            file.mode() & 0o222 == 0,
            "{name}: dir/file is still writable: {:o}",
            file.mode()
        );
        if !matches!(format, Format::Tar(_) | Format::Deb) {
            continue;
        }
        let hard = std::fs::symlink_metadata(root.join("hard"))
            .map_err(|err| TestError::io("stat hard", err))?;
        ensure!(
            hard.is_file() && hard.ino() == file.ino() && hard.nlink() == 2,
            "{name}: hard is not a second name of dir/file"
        );
    }
    Ok(())
}

#[qemu_test]
fn a_decompression_bomb_stops_with_an_error(env: Arc<TestEnv>) -> TestResult {
    let zeros = vec![0u8; 64 << 20];
    let limit = 1 << 20;
    let tar_path = env.scratch_file(["bomb.tar.xz"]);
    write(
        &tar_path,
        &build(
            Format::Tar(Some(Compression::Xz)),
            &[Item::File("zeros", &zeros)],
        ),
    )?;
    let target = fresh_dir(&env, &["bomb"])?;
    match archive::extract(
        &tar_path,
        &target,
        Format::Tar(Some(Compression::Xz)),
        None,
        limit,
    ) {
        Err(err @ ArchiveError::TooBig { .. }) => {
            ensure!(
                err.to_string().contains("QEMU_TEST_MAX_EXTRACT_SIZE"),
                "{err}"
            );
        }
        other => {
            return Err(TestError::check(format!(
                "expected the bomb to stop, got {other:?}"
            )));
        }
    }
    let gz_path = env.scratch_file(["bomb.gz"]);
    write(&gz_path, &compress(Some(Compression::Gzip), zeros))?;
    let out = env.scratch_file(["bomb.out"]);
    match uncompress::uncompress(&gz_path, &out, Compression::Gzip, limit) {
        Err(UncompressError::TooBig { .. }) => {}
        other => {
            return Err(TestError::check(format!(
                "expected the bomb to stop, got {other:?}"
            )));
        }
    }
    let left: Vec<_> = std::fs::read_dir(env.scratch_dir())
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    ensure!(
        !left
            .iter()
            .any(|name| name.starts_with(".bomb.out") || name == "bomb.out"),
        "partial output left: {left:?}"
    );
    Ok(())
}

#[qemu_test]
fn every_compression_uncompresses_also_concatenated(env: Arc<TestEnv>) -> TestResult {
    let data: Vec<u8> = b"0123456789abcdef".repeat(10_000);
    for (name, compression) in [
        ("f.gz", Compression::Gzip),
        ("f.xz", Compression::Xz),
        ("f.zst", Compression::Zstd),
        ("f.lzma", Compression::Lzma),
        ("f.bz2", Compression::Bzip2),
    ] {
        ensure!(Compression::from_name(name) == Some(compression), "{name}");
        let mut packed = compress(Some(compression), data.clone());
        // Two members, as `cat a.gz b.gz` makes; lzma has no such thing.
        if compression != Compression::Lzma {
            packed.extend(compress(Some(compression), data.clone()));
        }
        let path = env.scratch_file([name]);
        write(&path, &packed)?;
        let out = env.scratch_file([&format!("{name}.out")]);
        uncompress::uncompress(&path, &out, compression, u64::MAX)?;
        let expected = if compression == Compression::Lzma {
            data.clone()
        } else {
            [data.clone(), data.clone()].concat()
        };
        ensure!(read(&out) == expected, "{name}: wrong output");
    }
    Ok(())
}

/// A `file://` asset for a file the test wrote, with its hash.
fn file_asset(path: &Path) -> Result<Asset, TestError> {
    let hash = qemu_fixtures::assets::hash_file(path, qemu_fixtures::assets::Algorithm::Sha256)
        .map_err(|err| TestError::io(format!("hashing {}", path.display()), err))?;
    Ok(Asset::parse(format!("file://{}", path.display()), hash)?)
}

fn unpack_in_children(env: &TestEnv, count: usize) -> Result<Vec<String>, TestError> {
    let data: Vec<u8> = (0..8_000_000u32).map(|i| (i * 7 % 253) as u8).collect();
    let archive = env.scratch_file(["shared.tar.gz"]);
    write(
        &archive,
        &build(
            Format::Tar(Some(Compression::Gzip)),
            &[Item::File("boot/kernel", &data)],
        ),
    )?;
    let asset = file_asset(&archive)?;
    let cache = env.scratch_file(["cache", "download"]);
    let children: Vec<_> = (0..count)
        .map(|child| {
            // Each child its own name, so each has its own log directory.
            let name = format!("scenario::unpacks_an_asset::child_{child}");
            crate::support::scenario_command(
                "unpacks_an_asset",
                &[
                    ("NEXTEST_TEST_NAME", name.as_str()),
                    ("QEMU_TEST_FETCH_URL", asset.url()),
                    ("QEMU_TEST_FETCH_HASH", asset.hash()),
                    ("QEMU_TEST_FETCH_DIR", cache.to_str().expect("utf-8")),
                ],
            )
            .stdout(std::process::Stdio::piped())
            .spawn()
        })
        .collect::<Result<_, _>>()
        .map_err(|err| TestError::io("starting the unpackers", err))?;
    let mut outcomes = Vec::new();
    for child in children {
        let output = child
            .wait_with_output()
            .map_err(|err| TestError::io("waiting", err))?;
        ensure!(output.status.success(), "an unpacker failed: {output:?}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let outcome = stdout
            .lines()
            .find_map(|line| line.strip_prefix("unpack: "))
            .unwrap_or("?")
            .to_owned();
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

#[qemu_test]
fn processes_racing_to_unpack_an_asset_unpack_it_once(env: Arc<TestEnv>) -> TestResult {
    let outcomes = unpack_in_children(&env, 4)?;
    let unpacked = outcomes
        .iter()
        .filter(|outcome| *outcome == "Unpacked")
        .count();
    let cached = outcomes
        .iter()
        .filter(|outcome| *outcome == "Cached")
        .count();
    ensure!(unpacked == 1 && cached == 3, "outcomes: {outcomes:?}");
    Ok(())
}

#[qemu_test]
fn an_unpacking_that_fails_leaves_nothing_in_the_cache(env: Arc<TestEnv>) -> TestResult {
    let zeros = vec![0u8; 8 << 20];
    let archive = env.scratch_file(["big.tar.gz"]);
    write(
        &archive,
        &build(
            Format::Tar(Some(Compression::Gzip)),
            &[Item::File("zeros", &zeros)],
        ),
    )?;
    let asset = file_asset(&archive)?;
    let cache = Cache::at(env.scratch_file(["cache", "download"]));
    let source = cache.fetch(&asset, &qemu_fixtures::assets::Quiet)?.path;
    let result = unpacked::unpack(
        &cache,
        &asset,
        &source,
        Request::All(Format::Tar(Some(Compression::Gzip))),
        1 << 20,
    );
    ensure!(
        matches!(result, Err(ArchiveError::TooBig { .. })),
        "{result:?}"
    );
    let left: Vec<String> = std::fs::read_dir(cache.extract_dir().join(asset.hash()))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    ensure!(
        left.iter().all(|name| name.ends_with(".lock")),
        "left in the extraction cache: {left:?}"
    );
    Ok(())
}

#[qemu_test]
fn a_corrupt_archive_is_named_in_the_failure(env: Arc<TestEnv>) -> TestResult {
    let cache = env.scratch_file(["cache"]);
    std::fs::create_dir_all(
        crate::scenario::CORRUPT_PATH
            .rsplit_once('/')
            .map(|(dir, _)| dir)
            .unwrap_or("/tmp"),
    )
    .map_err(|err| TestError::io("mkdir", err))?;
    write(
        Path::new(crate::scenario::CORRUPT_PATH),
        crate::scenario::CORRUPT_BYTES,
    )?;
    let output = run_scenario(
        "extracts_a_corrupt_asset",
        &[("QEMU_TEST_CACHE_DIR", cache.to_str().expect("utf-8"))],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(
        !output.status.success(),
        "extracting a corrupt archive passed"
    );
    ensure!(
        stderr.contains(
            "FAIL: asset does not unpack: file:///tmp/qemu-fixtures-selftest/corrupt.tar.gz:"
        ) && stderr.contains("is not a valid tar.gzip archive"),
        "the failure does not name the asset: {stderr}"
    );
    Ok(())
}

/// An archive that is a local file, not an asset (acpi-bits' zip and
/// tar.gz inside its downloaded zip), extracts into scratch beside what an
/// earlier extraction put there, writable for the test to patch.
#[qemu_test]
fn a_local_archive_extracts_into_scratch_writable(env: Arc<TestEnv>) -> TestResult {
    let zip = env.scratch_file(["prebuilt", "bits.zip"]);
    write(
        &zip,
        &build(Format::Zip, &[Item::File("bits/boot/cfg.txt", b"cfg")]),
    )?;
    let tgz = env.scratch_file(["prebuilt", "grub.tar.gz"]);
    let script = b"#!/bin/sh\nprefix=/usr\n";
    write(
        &tgz,
        &build(
            Format::Tar(Some(Compression::Gzip)),
            &[Item::File("grub/bin/mkrescue", script)],
        ),
    )?;
    let whole = env.archive_extract_file(&zip, None)?;
    ensure!(
        whole == env.scratch_dir(),
        "the whole archive went to {}",
        whole.display()
    );
    let member = env.archive_extract_file(&tgz, Some("grub/bin/mkrescue"))?;
    ensure!(
        member == env.scratch_dir().join("grub/bin/mkrescue") && read(&member) == script,
        "the member is {}",
        member.display()
    );
    ensure!(
        read(&whole.join("bits/boot/cfg.txt")) == b"cfg",
        "the second extraction lost the first one's files"
    );
    std::fs::write(&member, b"patched")
        .map_err(|err| TestError::io("the extracted file is not writable", err))?;
    let unknown = env.scratch_file(["notes.txt"]);
    write(&unknown, b"not an archive")?;
    match env.archive_extract_file(&unknown, None) {
        Err(err) => ensure!(
            err.to_string().contains("notes.txt"),
            "the error does not name the file: {err}"
        ),
        Ok(path) => {
            return Err(TestError::check(format!(
                "a text file extracted to {}",
                path.display()
            )));
        }
    }
    Ok(())
}
