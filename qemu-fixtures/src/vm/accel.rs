//! Whether KVM really runs guests here. `/dev/kvm` existing proves nothing
//! (on our CI machines it exists, firmware runs under it, yet a Linux
//! kernel hangs early), so KVM counts only after a probe guest booted under
//! it and printed its line. On an x86_64 host the probe switches to
//! protected mode before it prints, as every kernel does early: on those
//! machines real mode runs and that switch does not. On an aarch64 host it
//! runs on `virt` and prints on its PL011. Other hosts have no probe, and
//! KVM is refused saying so. The verdict is cached for the process, and
//! on disk for the nextest run: each test is a process, and a probe that
//! fails takes its whole 10 s.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use super::unavailable::Unavailable;

/// What the probe guest prints on its serial port.
const PROBE_LINE: &str = "KVM probe ok";
/// How long the probe may take; a working KVM answers in well under a
/// second.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// Decides whether `binary` runs `arch` guests under KVM here.
pub fn kvm_works(binary: &Path, arch: &str) -> Result<(), Unavailable> {
    type Verdicts = Mutex<Vec<(PathBuf, Result<(), Unavailable>)>>;
    static VERDICTS: OnceLock<Verdicts> = OnceLock::new();
    let verdicts = VERDICTS.get_or_init(Default::default);
    if let Some((_, verdict)) = verdicts.lock().unwrap().iter().find(|(b, _)| b == binary) {
        return verdict.clone();
    }
    let verdict = match run_id() {
        Some(run) => probe_once_per_run(&super::probes::probe_dir(), &run, binary, arch),
        None => probe(binary, arch),
    };
    verdicts
        .lock()
        .unwrap()
        .push((binary.to_path_buf(), verdict.clone()));
    verdict
}

/// The run a test process belongs to, as `harness::outcome::run_dir` names
/// it; `None` outside nextest and our tools (`cargo test`).
fn run_id() -> Option<String> {
    std::env::var("QEMU_TEST_RUN_ID")
        .ok()
        .or_else(|| std::env::var("NEXTEST_RUN_ID").ok())
        .filter(|run| !run.is_empty())
}

/// How long a run's verdict file is kept: runs are over long before.
const RUN_VERDICT_KEPT: Duration = Duration::from_secs(24 * 3600);

/// Probes `binary` once for the run `run`: the first test process probes
/// under a lock and writes the verdict in `dir`; the run's others wait for
/// it and read it. A host's KVM does not change within a run, but may
/// between runs (load, a kernel update), so the verdict is not kept for
/// the next one.
fn probe_once_per_run(dir: &Path, run: &str, binary: &Path, arch: &str) -> Result<(), Unavailable> {
    let Some(key) = super::probes::key(binary, &["kvm-probe", arch, run]) else {
        return probe(binary, arch);
    };
    let path = dir.join(format!("kvm-{key}"));
    // Without a lock every process probes for itself: slower, not wrong.
    let _lock = fs::create_dir_all(dir)
        .and_then(|()| File::create(dir.join(format!("kvm-{key}.lock"))))
        .and_then(|file| file.lock().map(|()| file));
    if let Ok(text) = fs::read_to_string(&path) {
        return match text.strip_prefix("unusable\n") {
            None if text == "ok" => Ok(()),
            Some(reason) => Err(kvm_unusable(reason)),
            None => probe(binary, arch),
        };
    }
    let verdict = probe(binary, arch);
    let text = match &verdict {
        Ok(()) => Some("ok".to_owned()),
        Err(Unavailable::KvmUnusable { reason }) => Some(format!("unusable\n{reason}")),
        Err(_) => None,
    };
    if let Some(text) = text {
        forget_old_runs(dir);
        // Whole or not at all, for a reader without the lock.
        let partial = dir.join(format!("kvm-{key}.{}", std::process::id()));
        let _ = fs::write(&partial, text).and_then(|()| fs::rename(&partial, &path));
    }
    verdict
}

/// Removes the verdict and lock files of runs long over.
fn forget_old_runs(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|meta| meta.modified())
            .is_ok_and(|modified| {
                SystemTime::now()
                    .duration_since(modified)
                    .is_ok_and(|age| age > RUN_VERDICT_KEPT)
            });
        if old && entry.file_name().to_string_lossy().starts_with("kvm-") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn probe(binary: &Path, arch: &str) -> Result<(), Unavailable> {
    let kvm = Path::new("/dev/kvm");
    if std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(kvm)
        .is_err()
    {
        return Err(kvm_unusable(
            "kvm accelerator does not seem to be available: /dev/kvm cannot be opened read-write",
        ));
    }
    run_probe_guest(binary, std::env::consts::ARCH, arch, "kvm")
}

/// The small guest that proves an accelerator runs `arch` guests on a
/// `host` host: the machine arguments and the `-bios` image. Only a host
/// that runs such guests natively has one; elsewhere the error says which
/// host and target lack it.
pub fn probe_guest(host: &str, arch: &str) -> Result<ProbeGuest, Unavailable> {
    let message = format!("{PROBE_LINE}\n");
    match (host, arch) {
        ("x86_64", "x86_64" | "i386") => Ok(ProbeGuest {
            machine: &["-machine", "pc"],
            image: super::guest::x86_protected_mode_rom(message.as_bytes()),
        }),
        ("aarch64", "aarch64") => Ok(ProbeGuest {
            machine: &["-machine", "virt", "-cpu", "max"],
            image: super::guest::aarch64_virt_rom(message.as_bytes()),
        }),
        _ => Err(kvm_unusable(format!(
            "kvm accelerator: no probe guest for {arch} guests on a {host} host, so KVM is not trusted"
        ))),
    }
}

/// A probe guest: what [`probe_guest`] returns.
#[derive(Debug, Clone)]
pub struct ProbeGuest {
    /// `-machine ...` (and `-cpu ...`) for it.
    pub machine: &'static [&'static str],
    /// The image given with `-bios`.
    pub image: Vec<u8>,
}

/// Boots the probe guest of (`host`, `arch`) with `binary` under `accel`
/// and succeeds once it printed its line: how KVM is judged, and how a
/// test proves each probe guest runs (under TCG).
pub fn run_probe_guest(
    binary: &Path,
    host: &str,
    arch: &str,
    accel: &str,
) -> Result<(), Unavailable> {
    let guest = probe_guest(host, arch)?;
    let rom = tempfile::Builder::new()
        .prefix("kvm-probe-")
        .suffix(".rom")
        .tempfile()
        .map_err(|err| {
            kvm_unusable(format!(
                "kvm accelerator: cannot write the probe guest: {err}"
            ))
        })?;
    std::fs::write(rom.path(), &guest.image).map_err(|err| {
        kvm_unusable(format!(
            "kvm accelerator: cannot write the probe guest: {err}"
        ))
    })?;
    let mut child = Command::new(binary)
        .args(guest.machine)
        .args(["-accel", accel, "-nodefaults", "-display", "none"])
        .args(["-monitor", "none", "-serial", "stdio", "-bios"])
        .arg(rom.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| kvm_unusable(format!("kvm accelerator: cannot run the probe: {err}")))?;
    let started = Instant::now();
    // The guest halts after its line; QEMU keeps running, so read what it
    // printed until the line shows or the time is up.
    let stdout = child.stdout.take().expect("piped");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::Read;
        let mut stdout = stdout;
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            if memchr::memmem::find(&seen, PROBE_LINE.as_bytes()).is_some() {
                let _ = sender.send(());
                break;
            }
        }
    });
    let ran = receiver.recv_timeout(PROBE_TIMEOUT).is_ok();
    let _ = child.kill();
    let output = child.wait_with_output().ok();
    let stderr = output
        .map(|output| String::from_utf8_lossy(&output.stderr).trim().to_owned())
        .unwrap_or_default();
    if ran {
        Ok(())
    } else {
        Err(kvm_unusable(format!(
            "{accel} accelerator: the probe guest, which runs as a kernel starts, printed nothing within {:.0}s{}",
            started.elapsed().as_secs_f64(),
            if stderr.is_empty() {
                String::new()
            } else {
                format!(" (QEMU: {stderr})")
            }
        )))
    }
}

fn kvm_unusable(reason: impl Into<String>) -> Unavailable {
    Unavailable::KvmUnusable {
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run's first verdict is the run's: later processes read it, and
    /// never probe (the binary here could not even run); another run
    /// probes afresh.
    #[test]
    fn a_run_probes_kvm_once_and_keeps_the_verdict_to_itself() {
        let dir = tempfile::tempdir().unwrap();
        // Not executable: a probe of it is refused, which is cached too.
        let binary = dir.path().join("qemu-system-x86_64");
        fs::write(&binary, "not a QEMU").unwrap();
        let cache = dir.path().join("probes");
        let key = |run: &str| super::super::probes::key(&binary, &["kvm-probe", "x86_64", run]);

        let first = probe_once_per_run(&cache, "run-1", &binary, "x86_64");
        let Err(Unavailable::KvmUnusable { reason }) = &first else {
            panic!("a probe of a non-QEMU was not refused: {first:?}");
        };
        let stored = fs::read_to_string(cache.join(format!("kvm-{}", key("run-1").unwrap())));
        assert_eq!(stored.unwrap(), format!("unusable\n{reason}"));

        // Another process of run-2 found KVM working: run-2 believes it.
        let verdict_2 = cache.join(format!("kvm-{}", key("run-2").unwrap()));
        fs::write(&verdict_2, "ok").unwrap();
        assert_eq!(
            probe_once_per_run(&cache, "run-2", &binary, "x86_64"),
            Ok(())
        );
        fs::write(&verdict_2, "unusable\nkvm accelerator: as run-2 saw it").unwrap();
        assert_eq!(
            probe_once_per_run(&cache, "run-2", &binary, "x86_64"),
            Err(kvm_unusable("kvm accelerator: as run-2 saw it"))
        );
        assert_eq!(
            probe_once_per_run(&cache, "run-1", &binary, "x86_64"),
            first,
            "run-1 keeps its own verdict"
        );
    }

    #[test]
    fn arm_hosts_have_a_probe_guest_and_others_are_named() {
        assert!(probe_guest("x86_64", "x86_64").is_ok());
        assert!(probe_guest("x86_64", "i386").is_ok());
        assert!(probe_guest("aarch64", "aarch64").is_ok());
        let refused = probe_guest("s390x", "s390x").unwrap_err().to_string();
        assert!(
            refused.contains("no probe guest for s390x guests on a s390x host"),
            "{refused}"
        );
        // A guest of another architecture never gets KVM.
        assert!(probe_guest("x86_64", "aarch64").is_err());
        assert!(probe_guest("aarch64", "x86_64").is_err());
    }
}
