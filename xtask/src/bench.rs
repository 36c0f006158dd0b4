//! `cargo xtask bench`: the speed claims of the library, measured in one
//! run against the tool a user would reach for (the floor), and printed as
//! ratios. Nothing here asserts a time; the numbers are for reading.
//!
//! - assets: verifying a 1 GiB cached asset on first use (a full hash) and
//!   on a later use (its `.verified` record), against `sha256sum`;
//! - archive: unpacking a 200 MB tar.xz and a 200 MB zstd file on first use
//!   and on a cached use, against `tar -xJf` and `zstd -d`;
//! - console: scanning 256 MB of console output for a pattern, at 16, 64
//!   and 256 MB (the cost per byte must not grow), against `grep -F`;
//! - probes: what a quick test asks its QEMU binary before it starts it
//!   (`-machine help`, `--version`) on top of a raw QMP run (start
//!   `qemu-system-x86_64 -M none -qmp stdio`, quit): asked every time (as
//!   before the disk cache), asked into an empty cache, read from a warm one.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use qemu_fixtures::assets::archive::Format;
use qemu_fixtures::assets::uncompress::Compression;
use qemu_fixtures::assets::unpacked::{self, Request};
use qemu_fixtures::assets::{Algorithm, Asset, Cache, Quiet, hash_file};

use crate::flags::{Bench, BenchWhat};

impl Bench {
    pub fn run(self) -> anyhow::Result<()> {
        let dir = qemu_fixtures::harness::testenv::target_dir().join("bench");
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let what = self.what.unwrap_or(BenchWhat::All);
        if matches!(what, BenchWhat::Assets | BenchWhat::All) {
            assets(&dir)?;
        }
        if matches!(what, BenchWhat::Archive | BenchWhat::All) {
            archive(&dir)?;
        }
        if matches!(what, BenchWhat::Console | BenchWhat::All) {
            console(&dir)?;
        }
        if matches!(what, BenchWhat::Probes | BenchWhat::All) {
            probes(&dir)?;
        }
        Ok(())
    }
}

fn assets(dir: &Path) -> anyhow::Result<()> {
    println!("== assets: verifying a 1 GiB cached asset");
    let data = dir.join("asset-1g.bin");
    ensure_file(&data, 1 << 30, pseudo_random)?;
    let hash = hash_file(&data, Algorithm::Sha256)?;
    let asset = Asset::parse(format!("file://{}", data.display()), hash.clone())?;
    let cache_dir = dir.join("asset-cache").join("download");
    let _ = std::fs::remove_dir_all(&cache_dir);
    std::fs::create_dir_all(&cache_dir)?;
    // In the cache, as a Python run or a warm CI cache leaves it: never
    // verified by us yet.
    std::fs::copy(&data, cache_dir.join(&hash))?;
    let cache = Cache::at(&cache_dir);
    let floor = time(|| run(Command::new("sha256sum").arg(cache_dir.join(&hash))))?;
    let first = time(|| cache.fetch(&asset, &Quiet).map(drop).map_err(Into::into))?;
    let later = time(|| cache.fetch(&asset, &Quiet).map(drop).map_err(Into::into))?;
    report("sha256sum of the file (floor)", floor, floor);
    report("first use: full sha256", first, floor);
    report("later use: trusted by its record", later, floor);
    Ok(())
}

fn archive(dir: &Path) -> anyhow::Result<()> {
    println!("== archive: 200 MB of files as tar.xz, 200 MB as one zstd file");
    let payload = dir.join("payload");
    if !payload.join("done").exists() {
        let _ = std::fs::remove_dir_all(&payload);
        std::fs::create_dir_all(&payload)?;
        // Files of mixed compressibility, as a root filesystem has.
        for index in 0..50 {
            ensure_file(
                &payload.join(format!("file{index:02}.bin")),
                4 << 20,
                |buf, seed| {
                    if seed % 2 == 0 {
                        pseudo_random(buf, seed)
                    } else {
                        text(buf, seed)
                    }
                },
            )?;
        }
        std::fs::write(payload.join("done"), "")?;
    }
    let tar_xz = dir.join("payload.tar.xz");
    if !tar_xz.exists() {
        run(Command::new("tar")
            .args(["-C"])
            .arg(&payload)
            .args(["-I", "xz -1 -T0", "-cf"])
            .arg(&tar_xz)
            .arg("."))?;
    }
    let raw = dir.join("payload.raw");
    ensure_file(&raw, 200 << 20, text)?;
    let zst = dir.join("payload.raw.zst");
    if !zst.exists() {
        run(Command::new("zstd")
            .args(["-q", "-3", "-f"])
            .arg(&raw)
            .arg("-o")
            .arg(&zst))?;
    }
    let cache = Cache::at(dir.join("archive-cache").join("download"));
    let _ = std::fs::remove_dir_all(cache.root());
    for (label, path, request, floor_command) in [
        (
            "tar.xz",
            &tar_xz,
            Request::All(Format::Tar(Some(Compression::Xz))),
            Box::new(|out: &Path| {
                let mut command = Command::new("tar");
                command.arg("-C").arg(out).arg("-xJf").arg(&tar_xz);
                command
            }) as Box<dyn Fn(&Path) -> Command>,
        ),
        (
            "zstd",
            &zst,
            Request::Uncompress(Compression::Zstd),
            Box::new(|out: &Path| {
                let mut command = Command::new("zstd");
                command
                    .args(["-q", "-d", "-f"])
                    .arg(&zst)
                    .arg("-o")
                    .arg(out.join("raw"));
                command
            }),
        ),
    ] {
        let out = dir.join(format!("floor-{label}"));
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out)?;
        let floor = time(|| run(&mut floor_command(&out)))?;
        let hash = hash_file(path, Algorithm::Sha256)?;
        let asset = Asset::parse(format!("file://{}", path.display()), hash)?;
        let source = cache.fetch(&asset, &Quiet)?.path;
        let first = time(|| {
            unpacked::unpack(&cache, &asset, &source, request, u64::MAX)
                .map(drop)
                .map_err(Into::into)
        })?;
        let cached = time(|| {
            unpacked::unpack(&cache, &asset, &source, request, u64::MAX)
                .map(drop)
                .map_err(Into::into)
        })?;
        report(
            &format!("{label}: the command line tool (floor)"),
            floor,
            floor,
        );
        report(
            &format!("{label}: first use, unpacked and made read-only"),
            first,
            floor,
        );
        report(&format!("{label}: cached use"), cached, floor);
        let _ = std::fs::remove_dir_all(&out);
    }
    Ok(())
}

fn console(dir: &Path) -> anyhow::Result<()> {
    println!("== console: scanning console output for a pattern at its end");
    let pattern = "login: ready-for-the-test";
    for megabytes in [16u64, 64, 256] {
        let log = dir.join(format!("console-{megabytes}m.log"));
        if !log.exists() {
            let mut bytes = Vec::with_capacity((megabytes << 20) as usize + 64);
            let line =
                b"[    1.234567] systemd[1]: Started some.service - Some Service of the guest.\r\n";
            while (bytes.len() as u64) < megabytes << 20 {
                bytes.extend_from_slice(line);
            }
            bytes.extend_from_slice(pattern.as_bytes());
            std::fs::write(&log, bytes)?;
        }
        let floor = time(|| run(Command::new("grep").args(["-c", "-F", pattern]).arg(&log)))?;
        for chunk in [512usize, 64 << 10] {
            let scanned = time(|| {
                let found = qemu_fixtures::vm::console::scan_file(
                    &log,
                    &[pattern, "Kernel panic - not syncing", "Oops"],
                    chunk,
                )?;
                if found.is_none() {
                    bail!("the pattern was not found");
                }
                Ok(())
            })?;
            let rate = megabytes as f64 / scanned.as_secs_f64();
            report(
                &format!(
                    "{megabytes:>3} MB in {chunk:>5}-byte reads, 3 patterns: {rate:>7.0} MB/s"
                ),
                scanned,
                floor,
            );
        }
        report(&format!("{megabytes:>3} MB: grep -F (floor)"), floor, floor);
    }
    Ok(())
}

fn probes(dir: &Path) -> anyhow::Result<()> {
    use qemu_fixtures::vm::probes::output_in;
    println!("== probes: a quick test's questions to its QEMU, per test, over a raw QMP run");
    let qemu = qemu_fixtures::vm::qemu_binary("x86_64")?;
    const TESTS: u32 = 20;
    let questions: [&[&str]; 2] = [&["-machine", "help"], &["--version"]];
    let raw_run = || -> anyhow::Result<()> {
        use std::io::Write;
        let mut child = Command::new(&qemu)
            .args([
                "-M",
                "none",
                "-nodefaults",
                "-display",
                "none",
                "-qmp",
                "stdio",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", qemu.display()))?;
        let mut stdin = child.stdin.take().context("QEMU's stdin")?;
        stdin.write_all(b"{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"quit\"}\n")?;
        drop(stdin);
        let status = child.wait()?;
        if !status.success() {
            bail!("{} -qmp stdio: {status}", qemu.display());
        }
        Ok(())
    };
    let caches = dir.join("probe-caches");
    let _ = std::fs::remove_dir_all(&caches);
    let warm_cache = caches.join("warm");
    for args in questions {
        output_in(&warm_cache, &qemu, args)?;
    }
    // Interleaved, so a machine busy with other work slows all four alike.
    let (mut raw, mut uncached, mut cold, mut warm) = Default::default();
    for test in 0..TESTS {
        raw += time(raw_run)?;
        uncached += time(|| {
            for args in questions {
                run(Command::new(&qemu).args(args))?;
            }
            raw_run()
        })?;
        // Each test a fresh cache: what the first test after a rebuild pays.
        let cache = caches.join(format!("cold-{test}"));
        cold += time(|| {
            for args in questions {
                output_in(&cache, &qemu, args)?;
            }
            raw_run()
        })?;
        warm += time(|| {
            for args in questions {
                output_in(&warm_cache, &qemu, args)?;
            }
            raw_run()
        })?;
    }
    let [raw, uncached, cold, warm]: [Duration; 4] =
        [raw, uncached, cold, warm].map(|total: Duration| total / TESTS);
    let _ = std::fs::remove_dir_all(&caches);
    report(
        "raw QMP run: start, qmp_capabilities, quit (floor)",
        raw,
        raw,
    );
    for (label, took) in [
        ("probes asked in every test (before the cache)", uncached),
        ("probes into a cold cache", cold),
        ("probes from a warm cache", warm),
    ] {
        report(label, took, raw);
        println!(
            "  {:<62} {:>11.6} s   x{:.4} of the floor",
            "  of which overhead",
            took.saturating_sub(raw).as_secs_f64(),
            took.saturating_sub(raw).as_secs_f64() / raw.as_secs_f64().max(1e-9)
        );
    }
    Ok(())
}

fn report(label: &str, took: Duration, floor: Duration) {
    let ratio = took.as_secs_f64() / floor.as_secs_f64().max(1e-9);
    println!(
        "  {label:<62} {:>11.6} s   x{ratio:.4} of the floor",
        took.as_secs_f64()
    );
}

fn time(mut work: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<Duration> {
    let started = Instant::now();
    work()?;
    Ok(started.elapsed())
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = command
        .stdout(std::process::Stdio::null())
        .status()
        .with_context(|| format!("running {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed: {status}");
    }
    Ok(())
}

/// Writes `size` bytes made by `fill` unless the file is there already.
fn ensure_file(path: &PathBuf, size: u64, fill: impl Fn(&mut [u8], u64)) -> anyhow::Result<()> {
    if std::fs::metadata(path).is_ok_and(|meta| meta.len() == size) {
        return Ok(());
    }
    use std::io::Write;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut buf = vec![0u8; 1 << 20];
    let mut written = 0;
    let mut seed = 0;
    while written < size {
        let n = (size - written).min(buf.len() as u64) as usize;
        fill(&mut buf[..n], seed);
        file.write_all(&buf[..n])?;
        written += n as u64;
        seed += 1;
    }
    file.flush()?;
    Ok(())
}

/// Incompressible bytes (xorshift).
fn pseudo_random(buf: &mut [u8], seed: u64) {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for chunk in buf.chunks_mut(8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
    }
}

/// Compressible text, as logs and scripts are.
fn text(buf: &mut [u8], seed: u64) {
    let words = [
        "qemu ", "machine ", "virt ", "console ", "serial ", "kernel ", "boot ", "\n",
    ];
    let mut state = seed | 1;
    let mut at = 0;
    while at < buf.len() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let word = words[(state >> 33) as usize % words.len()].as_bytes();
        let n = word.len().min(buf.len() - at);
        buf[at..at + n].copy_from_slice(&word[..n]);
        at += n;
    }
}
