//! Whether KVM really runs guests here. `/dev/kvm` existing proves nothing
//! (on our CI machines it exists, firmware runs under it, yet a Linux
//! kernel hangs early), so KVM counts only after a probe guest booted under
//! it and printed its line. On an x86_64 host the probe switches to
//! protected mode before it prints, as every kernel does early: on those
//! machines real mode runs and that switch does not. On an aarch64 host it
//! runs on `virt` and prints on its PL011. Other hosts have no probe, and
//! KVM is refused saying so. The verdict is cached for the process.

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
