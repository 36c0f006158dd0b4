//! Record/replay of a kernel boot: record it with `-icount shift=...,rr=record`, replay it, both must reach the console pattern; QEMU's `ReplayKernelBase` (tests/functional/replay_kernel.py).

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use super::linux;
use super::vmstate::source_file;
use crate::ensure;
use crate::harness::{Machine, TestEnv, TestError, TestResult};

/// Upstream's `REPLAY_KERNEL_COMMAND_LINE`, its trailing space included.
pub const REPLAY_KERNEL_COMMAND_LINE: &str = "printk.time=1 panic=-1 ";

/// Upstream's `ReplayKernelBase.run_rr` as a method of the test's
/// machine, so a port's call reads as upstream's `self.run_rr(...)`, one
/// line, and the steps live here rather than in every crate's tests.
pub trait ReplayKernel {
    /// `run_rr(kernel_path, kernel_command_line, console_pattern)` with
    /// upstream's defaults, `shift=7` and no more arguments.
    fn run_rr(&mut self, kernel: &Path, command_line: &str, console_pattern: &str) -> TestResult;

    /// `run_rr(kernel_path, kernel_command_line, console_pattern, shift,
    /// args)`: boots `kernel` with `-append command_line` recording, then
    /// replaying, as [`record_replay`] does.
    fn run_rr_with(
        &mut self,
        kernel: &Path,
        command_line: &str,
        console_pattern: &str,
        shift: u32,
        args: &[&dyn AsRef<OsStr>],
    ) -> TestResult;
}

/// Upstream's default `shift` of `run_rr`.
pub const DEFAULT_SHIFT: u32 = 7;

impl ReplayKernel for Machine {
    fn run_rr(&mut self, kernel: &Path, command_line: &str, console_pattern: &str) -> TestResult {
        self.run_rr_with(kernel, command_line, console_pattern, DEFAULT_SHIFT, &[])
    }

    fn run_rr_with(
        &mut self,
        kernel: &Path,
        command_line: &str,
        console_pattern: &str,
        shift: u32,
        args: &[&dyn AsRef<OsStr>],
    ) -> TestResult {
        let boot = kernel_args(kernel, command_line, args);
        record_replay_args(self, console_pattern, shift, boot)
    }
}

/// `-kernel <kernel> -append <command_line>`, then the test's `args`.
fn kernel_args(kernel: &Path, command_line: &str, args: &[&dyn AsRef<OsStr>]) -> Vec<OsString> {
    let mut boot: Vec<OsString> = vec!["-kernel".into(), kernel.into(), "-append".into()];
    boot.push(command_line.into());
    boot.extend(args.iter().map(|arg| arg.as_ref().to_owned()));
    boot
}

/// The steps of [`ReplayKernel::run_rr`] for any payload: a QEMU configured as `vm`
/// (which is not launched itself) records with `-icount
/// shift=<shift>,rr=record,rrfile=...`, `-net none -no-reboot` and
/// `args`, reaches `console_pattern` (a kernel panic fails it) and is
/// shut down; QEMU's `scripts/replay-dump.py` then reads the log (a step
/// skipped, saying so in base.log, without QEMU's source tree); a second
/// QEMU replays the log, must reach the pattern too and exit by itself
/// at its end. Both times and the replay's overhead go to base.log.
pub fn record_replay(
    vm: &mut Machine,
    console_pattern: &str,
    shift: u32,
    args: &[&dyn AsRef<OsStr>],
) -> TestResult {
    let args = args.iter().map(|arg| arg.as_ref().to_owned()).collect();
    record_replay_args(vm, console_pattern, shift, args)
}

/// [`record_replay`] with the arguments already owned.
fn record_replay_args(
    vm: &mut Machine,
    console_pattern: &str,
    shift: u32,
    args: Vec<OsString>,
) -> TestResult {
    let replay_path = vm.env().scratch_file(["replay.bin"]);
    let t1 = run_vm(
        vm,
        Mode::Record,
        console_pattern,
        shift,
        &args,
        &replay_path,
    )?;
    let t2 = run_vm(
        vm,
        Mode::Replay,
        console_pattern,
        shift,
        &args,
        &replay_path,
    )?;
    vm.env().log(format_args!(
        "replay overhead {:.2}%",
        (t2 / t1 - 1.0) * 100.0
    ));
    Ok(())
}

/// A qcow2 overlay at `disk` over the raw image `raw_disk` (upstream's
/// `qemu-img create -f qcow2 -b <raw> -F raw <disk>`), for a replayed
/// boot whose `snapshot=on` drive must not change the cached rootfs.
pub fn create_overlay(env: &TestEnv, raw_disk: &Path, disk: &Path) -> TestResult {
    env.run_qemu_img([
        OsStr::new("create"),
        OsStr::new("-f"),
        OsStr::new("qcow2"),
        OsStr::new("-b"),
        raw_disk.as_os_str(),
        OsStr::new("-F"),
        OsStr::new("raw"),
        disk.as_os_str(),
    ])
}

/// The twelve arguments of upstream's block-and-network replays
/// (aarch64's and x86_64's `test_replay.py`): the qcow2 overlay `disk`
/// (see [`create_overlay`]) as `hd0`, replayed through `blkreplay` to
/// `<blkdevice>,drive=hd0-rr`, and a user netdev with a forwarded port on
/// `virtio-net`, replayed through `filter-replay`.
#[derive(Debug, Clone)]
pub struct BlockAndNetwork(Vec<OsString>);

impl BlockAndNetwork {
    pub fn new(disk: &Path, blkdevice: &str) -> BlockAndNetwork {
        let mut drive = OsString::from("file=");
        drive.push(disk);
        drive.push(",snapshot=on,id=hd0,if=none");
        let args = [
            "-drive".into(),
            drive,
            "-drive".into(),
            "driver=blkreplay,id=hd0-rr,if=none,image=hd0".into(),
            "-device".into(),
            format!("{blkdevice},drive=hd0-rr").into(),
            "-netdev".into(),
            "user,id=vnet,hostfwd=:127.0.0.1:0-:22".into(),
            "-device".into(),
            "virtio-net,netdev=vnet".into(),
            "-object".into(),
            "filter-replay,id=replay,netdev=vnet".into(),
        ];
        BlockAndNetwork(args.into())
    }

    /// The arguments as [`ReplayKernel::run_rr_with`] takes them.
    pub fn args(&self) -> Vec<&dyn AsRef<OsStr>> {
        self.0.iter().map(|arg| arg as &dyn AsRef<OsStr>).collect()
    }
}

/// Which half of a record/replay run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Record,
    Replay,
}

/// Upstream's `run_vm`: one half, its elapsed seconds.
fn run_vm(
    vm: &mut Machine,
    mode: Mode,
    console_pattern: &str,
    shift: u32,
    args: &[OsString],
    replay_path: &Path,
) -> Result<f64, TestError> {
    // icount requires TCG.
    vm.require_accelerator("tcg")?;
    let start = Instant::now();
    let env = vm.env().clone();
    let (name, rr) = match mode {
        Mode::Record => ("recording", "record"),
        Mode::Replay => ("replay", "replay"),
    };
    let mut half = vm.twin(name);
    half.set_console();
    env.log(format_args!("{name} the execution..."));
    half.args(icount_args(shift, rr, replay_path)).args(args);
    half.launch()?;
    linux::wait_for_console_pattern(&mut half, console_pattern)?;
    match mode {
        Mode::Record => {
            half.shutdown()?;
            let size = std::fs::metadata(replay_path)
                .map_err(|err| TestError::io(format!("reading {}", replay_path.display()), err))?
                .len();
            env.log(format_args!(
                "finished the recording with log size {size} bytes"
            ));
            run_replay_dump(&half, replay_path)?;
        }
        Mode::Replay => {
            let exit = half.wait_exit()?;
            ensure!(
                exit.signal().is_none(),
                "the replaying QEMU {exit} at the end of the replay"
            );
            env.log("successfully finished the replay");
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    env.log(format_args!("elapsed time {elapsed:.2} sec"));
    Ok(elapsed)
}

/// The arguments every half gets before the test's own.
fn icount_args(shift: u32, rr: &str, replay_path: &Path) -> Vec<OsString> {
    let mut icount = OsString::from(format!("shift={shift},rr={rr},rrfile="));
    icount.push(replay_path);
    vec![
        "-icount".into(),
        icount,
        "-net".into(),
        "none".into(),
        "-no-reboot".into(),
    ]
}

/// Upstream's `run_replay_dump`: `scripts/replay-dump.py -f <log>` from
/// QEMU's source tree must accept the log. Without the source tree (or
/// python3) the step is skipped, saying why in base.log.
fn run_replay_dump(vm: &Machine, replay_path: &Path) -> TestResult {
    let env = vm.env();
    let script = match source_file(["scripts", "replay-dump.py"]) {
        Ok(script) => script,
        Err(skip) => {
            env.log(format_args!("replay-dump.py step skipped: {skip}"));
            return Ok(());
        }
    };
    let Some(python) = crate::vm::find_command("python3") else {
        env.log("replay-dump.py step skipped: python3 not found (Debian package python3)");
        return Ok(());
    };
    let output = Command::new(&python)
        .arg(&script)
        .arg("-f")
        .arg(replay_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|err| TestError::io(format!("running {}", script.display()), err))?;
    ensure!(
        output.status.success(),
        "replay-dump.py failed: {} -f {}: {}: {}",
        script.display(),
        replay_path.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    env.log("successfully tested replay-dump.py");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_and_network_replays_the_overlay_and_the_user_netdev() {
        let rr = BlockAndNetwork::new(Path::new("/scratch/scratch.qcow2"), "ide-hd");
        let args: Vec<String> = rr
            .args()
            .iter()
            .map(|arg| arg.as_ref().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "-drive",
                "file=/scratch/scratch.qcow2,snapshot=on,id=hd0,if=none",
                "-drive",
                "driver=blkreplay,id=hd0-rr,if=none,image=hd0",
                "-device",
                "ide-hd,drive=hd0-rr",
                "-netdev",
                "user,id=vnet,hostfwd=:127.0.0.1:0-:22",
                "-device",
                "virtio-net,netdev=vnet",
                "-object",
                "filter-replay,id=replay,netdev=vnet",
            ]
        );
    }

    #[test]
    fn run_rr_boots_the_kernel_with_its_command_line_then_the_tests_args() {
        let boot = kernel_args(
            Path::new("/cache/vmlinuz"),
            "printk.time=1 panic=-1 ",
            &[&"-initrd", &Path::new("/cache/rootfs.cpio")],
        );
        assert_eq!(
            boot,
            [
                "-kernel",
                "/cache/vmlinuz",
                "-append",
                "printk.time=1 panic=-1 ",
                "-initrd",
                "/cache/rootfs.cpio"
            ]
            .map(OsString::from)
        );
    }

    #[test]
    fn each_half_gets_icount_with_its_mode_and_file_no_network_and_no_reboot() {
        let args = icount_args(5, "replay", Path::new("/scratch/replay.bin"));
        assert_eq!(
            args,
            [
                "-icount",
                "shift=5,rr=replay,rrfile=/scratch/replay.bin",
                "-net",
                "none",
                "-no-reboot"
            ]
            .map(OsString::from)
        );
    }
}
