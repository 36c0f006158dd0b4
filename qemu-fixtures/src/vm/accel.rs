//! Whether KVM really runs guests here. `/dev/kvm` existing proves nothing
//! (on our CI machines it exists, firmware runs under it, yet a Linux
//! kernel hangs early), so KVM counts only after a probe guest booted under
//! it and printed its line. The probe switches to protected mode before it
//! prints, as every kernel does early: on those machines real mode runs
//! and that switch does not. The verdict is cached for the process.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

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
    let verdict = probe(binary, arch);
    verdicts
        .lock()
        .unwrap()
        .push((binary.to_path_buf(), verdict.clone()));
    verdict
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
    let host = std::env::consts::ARCH;
    if !(host == "x86_64" && matches!(arch, "x86_64" | "i386")) {
        return Err(kvm_unusable(format!(
            "kvm accelerator: no probe guest for {arch} on a {host} host, so KVM is not trusted"
        )));
    }
    let rom = tempfile::Builder::new()
        .prefix("kvm-probe-")
        .suffix(".rom")
        .tempfile()
        .map_err(|err| {
            kvm_unusable(format!(
                "kvm accelerator: cannot write the probe guest: {err}"
            ))
        })?;
    std::fs::write(
        rom.path(),
        super::guest::x86_protected_mode_rom(format!("{PROBE_LINE}\n").as_bytes()),
    )
    .map_err(|err| {
        kvm_unusable(format!(
            "kvm accelerator: cannot write the probe guest: {err}"
        ))
    })?;
    let mut child = Command::new(binary)
        .args([
            "-machine",
            "pc",
            "-accel",
            "kvm",
            "-nodefaults",
            "-display",
            "none",
        ])
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
            "kvm accelerator: the probe guest, which enters protected mode as a kernel does, printed nothing within {:.0}s under KVM{}",
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
