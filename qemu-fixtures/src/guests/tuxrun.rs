//! TuxRun baselines, as QEMU's `qemu_test/tuxruntest.py`: a TuxBoot kernel
//! and zstd ext4 rootfs per target, booted login-less to `root@tuxtest`,
//! a few commands at its shell, then `halt` and the halt message.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::assets::Asset;
use crate::guests::linux::{COMMON_COMMAND_LINE, PANIC};
use crate::harness::{Machine, TestEnv, TestError};

/// The prompt of the TuxBoot rootfs once `root` logged in.
pub const PS1: &str = "root@tuxtest:~#";
/// What the TuxBoot rootfs prints when it wants a user name.
pub const LOGIN: &str = "tuxtest login:";
/// The halt message of most kernels, upstream's default `haltmsg`.
pub const HALTED: &str = "reboot: System halted";

/// The knobs upstream's tests set as attributes (`self.console`,
/// `self.root`, ...) or pass to `common_tuxrun`; `Default` holds
/// upstream's defaults, so a port names only what its original changes.
#[derive(Debug, Clone, Copy)]
pub struct TuxRun<'a> {
    /// `console=` of the kernel command line (`ttyS0`).
    pub console: &'a str,
    /// The root device under `/dev` (`vda`).
    pub root: &'a str,
    /// One more `-device`, put before the disk's (`spapr-vscsi`).
    pub extradev: Option<&'a str>,
    /// Whether QEMU exits by itself after `halt`; else it is shut down.
    pub wait_for_shutdown: bool,
    /// A device tree to give with `-dtb`.
    pub dtb: Option<&'a Asset>,
    /// The disk's `-device`, without `drive=hd0` (`virtio-blk-device`).
    pub drive: &'a str,
    /// What the kernel prints once `halt` is done.
    pub haltmsg: &'a str,
    /// The serial port the console is on.
    pub console_index: usize,
}

impl Default for TuxRun<'_> {
    fn default() -> Self {
        TuxRun::DEFAULT
    }
}

impl TuxRun<'static> {
    /// Upstream's defaults, as a constant so presets can build on them.
    pub const DEFAULT: TuxRun<'static> = TuxRun {
        console: "ttyS0",
        root: "vda",
        extradev: None,
        wait_for_shutdown: true,
        dtb: None,
        drive: "virtio-blk-device",
        haltmsg: HALTED,
        console_index: 0,
    };

    /// What the four Malta files (mips, mipsel, mips64, mips64el) set:
    /// the rootfs on the first IDE disk, `/dev/sda`, and QEMU shut down
    /// rather than waited for after `halt`. Upstream's tuxrun tests share
    /// such settings through their base class likewise.
    pub const MALTA_IDE: TuxRun<'static> = TuxRun {
        root: "sda",
        wait_for_shutdown: false,
        drive: "driver=ide-hd,bus=ide.0,unit=0",
        ..TuxRun::DEFAULT
    };
}

/// The files of one TuxRun boot, as `fetch_tuxrun_assets` returns them.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub kernel: PathBuf,
    /// A writable copy of the uncompressed rootfs: the guest writes to it.
    pub disk: PathBuf,
    pub dtb: Option<PathBuf>,
}

impl TuxRun<'_> {
    /// Upstream's `common_tuxrun`: fetch, prepare, launch, then
    /// [`TuxRun::run_tuxtest_tests`].
    pub fn common_tuxrun(
        &self,
        vm: &mut Machine,
        kernel: &Asset,
        rootfs: &Asset,
    ) -> Result<(), TestError> {
        let fetched = self.fetch_tuxrun_assets(vm, kernel, rootfs)?;
        self.prepare_run(vm, &fetched);
        vm.launch()?;
        self.run_tuxtest_tests(vm)
    }

    /// Fetches the kernel and the dtb, and uncompresses the rootfs into a
    /// copy the guest may write. zstd is decoded in-process, so upstream's
    /// skip when the `zstd` command is missing has no counterpart.
    pub fn fetch_tuxrun_assets(
        &self,
        vm: &Machine,
        kernel: &Asset,
        rootfs: &Asset,
    ) -> Result<Fetched, TestError> {
        let env = vm.env();
        let kernel = env.fetch(kernel)?;
        let disk = env.writable_copy(&env.uncompress(rootfs)?)?;
        let dtb = self.dtb.map(|dtb| env.fetch(dtb)).transpose()?;
        Ok(Fetched { kernel, disk, dtb })
    }

    /// `printk.time=0 root=/dev/<root> console=<console>`: also what the
    /// kernel echoes first, and the flow waits for.
    pub fn command_line(&self) -> String {
        format!(
            "{COMMON_COMMAND_LINE} root=/dev/{} console={}",
            self.root, self.console
        )
    }

    /// Upstream's `prepare_run`: the console on its serial port, and the
    /// kernel, command line, rootfs, devices and dtb as arguments.
    pub fn prepare_run(&self, vm: &mut Machine, fetched: &Fetched) {
        vm.set_console_index(self.console_index);
        vm.args(self.arguments(fetched));
    }

    /// The arguments `prepare_run` adds, in upstream's order: the rootfs
    /// is a raw `-blockdev` named `hd0` that the `drive` device uses.
    pub fn arguments(&self, fetched: &Fetched) -> Vec<OsString> {
        let mut blockdev = OsString::from("driver=raw,file.driver=file,file.filename=");
        blockdev.push(&fetched.disk);
        blockdev.push(",node-name=hd0");
        let mut args: Vec<OsString> = vec![
            "-kernel".into(),
            fetched.kernel.clone().into(),
            "-append".into(),
            self.command_line().into(),
            "-blockdev".into(),
            blockdev,
        ];
        if let Some(extradev) = self.extradev {
            args.extend(["-device".into(), extradev.into()]);
        }
        args.extend(["-device".into(), format!("{},drive=hd0", self.drive).into()]);
        if let Some(dtb) = &fetched.dtb {
            args.extend(["-dtb".into(), dtb.clone().into()]);
        }
        args
    }

    /// Upstream's `wait_for_console_pattern` of this class: a kernel panic
    /// fails the wait.
    pub fn wait_for_console_pattern(
        &self,
        vm: &mut Machine,
        success: &str,
    ) -> Result<(), TestError> {
        vm.console()
            .wait_for_console_pattern(success, Some(PANIC))?;
        Ok(())
    }

    /// Upstream's `run_tuxtest_tests`: waits for the command line and the
    /// login prompt (a kernel panic fails both), logs in as root, reads
    /// `/proc/interrupts`, `/proc/self/maps` and `uname -a`, halts, waits
    /// for the halt message, then for QEMU to exit (`wait_for_shutdown`)
    /// or shuts it down.
    pub fn run_tuxtest_tests(&self, vm: &mut Machine) -> Result<(), TestError> {
        self.wait_for_console_pattern(vm, &self.command_line())?;
        self.wait_for_console_pattern(vm, LOGIN)?;
        let console = vm.console();
        console.exec_command_and_wait_for_pattern("root", PS1, None)?;
        console.exec_command_and_wait_for_pattern("cat /proc/interrupts", PS1, None)?;
        console.exec_command_and_wait_for_pattern("cat /proc/self/maps", PS1, None)?;
        console.exec_command_and_wait_for_pattern("uname -a", PS1, None)?;
        console.exec_command_and_wait_for_pattern("halt", self.haltmsg, None)?;
        if self.wait_for_shutdown {
            let exit = vm.wait_exit()?;
            crate::ensure!(
                exit.signal().is_none(),
                "QEMU {exit} after the guest halted"
            );
        } else {
            vm.shutdown()?;
        }
        Ok(())
    }
}

/// Creates a qcow2 image of `size` (as `qemu-img create` reads it) at
/// `path`, as upstream's `check_call([qemu_img, 'create', ...])`.
pub fn create_qcow2(env: &TestEnv, path: &Path, size: &str) -> Result<(), TestError> {
    env.run_qemu_img([
        OsStr::new("create"),
        OsStr::new("-f"),
        OsStr::new("qcow2"),
        path.as_os_str(),
        OsStr::new(size),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetched(dtb: Option<&str>) -> Fetched {
        Fetched {
            kernel: PathBuf::from("/cache/Image"),
            disk: PathBuf::from("/scratch/rootfs.ext4"),
            dtb: dtb.map(PathBuf::from),
        }
    }

    fn strings(args: Vec<OsString>) -> Vec<String> {
        args.into_iter()
            .map(|arg| arg.into_string().unwrap())
            .collect()
    }

    #[test]
    fn defaults_boot_vda_on_ttys0_through_virtio_blk_device() {
        let tuxrun = TuxRun::default();
        assert_eq!(
            tuxrun.command_line(),
            "printk.time=0 root=/dev/vda console=ttyS0"
        );
        assert_eq!(
            strings(tuxrun.arguments(&fetched(None))),
            [
                "-kernel",
                "/cache/Image",
                "-append",
                "printk.time=0 root=/dev/vda console=ttyS0",
                "-blockdev",
                "driver=raw,file.driver=file,file.filename=/scratch/rootfs.ext4,node-name=hd0",
                "-device",
                "virtio-blk-device,drive=hd0",
            ]
        );
        assert!(tuxrun.wait_for_shutdown);
        assert_eq!(tuxrun.haltmsg, "reboot: System halted");
        assert_eq!(tuxrun.console_index, 0);
    }

    #[test]
    fn malta_ide_boots_sda_from_the_first_ide_disk_and_shuts_down_after_halt() {
        let tuxrun = TuxRun::MALTA_IDE;
        assert_eq!(
            strings(tuxrun.arguments(&fetched(None)))[3..],
            [
                "printk.time=0 root=/dev/sda console=ttyS0",
                "-blockdev",
                "driver=raw,file.driver=file,file.filename=/scratch/rootfs.ext4,node-name=hd0",
                "-device",
                "driver=ide-hd,bus=ide.0,unit=0,drive=hd0",
            ]
        );
        assert!(!tuxrun.wait_for_shutdown);
        assert_eq!(tuxrun.haltmsg, "reboot: System halted");
    }

    #[test]
    fn extra_device_goes_before_the_disk_and_dtb_last() {
        let tuxrun = TuxRun {
            console: "hvc0",
            root: "sda",
            extradev: Some("spapr-vscsi"),
            drive: "scsi-hd",
            ..TuxRun::default()
        };
        assert_eq!(
            strings(tuxrun.arguments(&fetched(Some("/cache/board.dtb"))))[3..],
            [
                "printk.time=0 root=/dev/sda console=hvc0",
                "-blockdev",
                "driver=raw,file.driver=file,file.filename=/scratch/rootfs.ext4,node-name=hd0",
                "-device",
                "spapr-vscsi",
                "-device",
                "scsi-hd,drive=hd0",
                "-dtb",
                "/cache/board.dtb",
            ]
        );
    }
}
