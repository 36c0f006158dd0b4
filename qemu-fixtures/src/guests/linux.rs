//! Booting Linux kernels: the kernel command line, the serial console of
//! each target's usual machine, the panic message as a standing failure
//! pattern, a busybox initramfs the test builds itself, and commands run
//! at its shell with their output.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::assets::Asset;
use crate::harness::Machine;
use crate::harness::Skip;
use crate::harness::TestEnv;
use crate::harness::TestError;
use crate::vm::MachineError;
use crate::vm::{Console, ConsoleError};

/// What a kernel prints when it gives up: fails every later wait.
pub const PANIC: &str = "Kernel panic - not syncing";
/// What QEMU's Python tests put first on every kernel command line.
pub const COMMON_COMMAND_LINE: &str = "printk.time=0";
/// What the initramfs's init prints once its shell is up.
pub const READY: &str = "qemu-functional: initramfs shell ready";

/// The kernel's name for the first serial console of the usual machine of
/// `arch` (virt, pc, pseries, malta, ...).
pub fn serial_console(arch: &str) -> &'static str {
    match arch {
        "aarch64" | "arm" => "ttyAMA0",
        "ppc64" => "hvc0",
        "s390x" => "ttysclp0",
        _ => "ttyS0",
    }
}

/// `printk.time=0 console=<serial> <extra>`.
pub fn command_line(arch: &str, extra: &str) -> String {
    let mut line = format!("{COMMON_COMMAND_LINE} console={}", serial_console(arch));
    if !extra.is_empty() {
        line.push(' ');
        line.push_str(extra);
    }
    line
}

/// Boots `kernel` (and `initrd`) with the command line for the machine's
/// target plus `extra`, with the panic message as a standing failure
/// pattern; the machine is launched when this returns.
pub fn launch_kernel(
    vm: &mut Machine,
    kernel: &Path,
    initrd: Option<&Path>,
    extra: &str,
) -> Result<(), MachineError> {
    let append = command_line(&vm.env().id().arch.clone(), extra);
    vm.arg("-kernel").arg(kernel);
    if let Some(initrd) = initrd {
        vm.arg("-initrd").arg(initrd);
    }
    // A kernel that gives up should end the test, not reboot into a loop.
    vm.args(["-no-reboot", "-append", &append]).launch()?;
    vm.console().fail_on(PANIC);
    Ok(())
}

/// Writes a newc initramfs to scratch: busybox (a static binary), an
/// `/init` that mounts /proc, /sys and /dev, installs busybox's applets,
/// prints [`READY`] and starts a shell, and `/dev/console`, which the
/// kernel opens before anything is mounted. Boot it with `rdinit=/init`.
pub fn busybox_initramfs(env: &TestEnv, busybox: &Path) -> Result<PathBuf, TestError> {
    let busybox_bytes = std::fs::read(busybox)
        .map_err(|err| TestError::io(format!("reading {}", busybox.display()), err))?;
    if has_interpreter(&busybox_bytes) {
        return Err(Skip::new(format!(
            "{} is dynamically linked: the initramfs needs Debian's busybox-static",
            busybox.display()
        ))
        .into());
    }
    let init = format!(
        "#!/bin/sh\n\
         /bin/busybox mkdir -p /proc /sys /dev /tmp\n\
         /bin/busybox mount -t proc proc /proc\n\
         /bin/busybox mount -t sysfs sysfs /sys\n\
         /bin/busybox mount -t devtmpfs devtmpfs /dev\n\
         /bin/busybox --install -s /bin\n\
         export PATH=/bin\n\
         echo '{READY}'\n\
         exec /bin/sh\n"
    );
    let path = env.scratch_file(["initramfs.cpio"]);
    let mut out = Vec::new();
    let entries = [
        CpioEntry::dir("bin"),
        CpioEntry::dir("dev"),
        CpioEntry::dir("proc"),
        CpioEntry::dir("sys"),
        CpioEntry::file("bin/busybox", 0o755, &busybox_bytes),
        CpioEntry::file("init", 0o755, init.as_bytes()),
        CpioEntry {
            name: "bin/sh",
            mode: 0o120_777,
            data: b"busybox",
            rdev: (0, 0),
        },
        // The console device, 5:1.
        CpioEntry {
            name: "dev/console",
            mode: 0o020_600,
            data: b"",
            rdev: (5, 1),
        },
    ];
    for (ino, entry) in entries.iter().enumerate() {
        entry
            .write(&mut out, ino as u32 + 1)
            .map_err(|err| TestError::io("writing the initramfs", err))?;
    }
    cpio::newc::trailer(&mut out).map_err(|err| TestError::io("writing the initramfs", err))?;
    std::fs::write(&path, out)
        .map_err(|err| TestError::io(format!("writing {}", path.display()), err))?;
    env.log(format_args!(
        "initramfs with {} at {}",
        busybox.display(),
        path.display()
    ));
    Ok(path)
}

/// What a Linux guest should see of the machine QEMU gave it.
#[derive(Debug, Clone, Copy)]
pub struct GuestView<'a> {
    /// A fragment of /proc/cpuinfo that names the CPU given with `-cpu`.
    pub cpuinfo: &'a str,
    /// The memory given with `-m`, in MiB.
    pub memory_mib: u64,
    /// `vendor:device` of the virtio device given with `-device`, as
    /// sysfs shows it; either ID counts (transitional or modern). `None`
    /// for a kernel that cannot see it (no PCI host driver built in).
    pub pci_ids: Option<&'a [&'a str]>,
}

/// Where a Debian installer netboot package keeps a kernel and initrd for
/// one machine, and how to boot them.
#[derive(Debug, Clone, Copy)]
pub struct Installer<'a> {
    pub machine: &'a str,
    /// The kernel's member; one that ends in `-` is a prefix, for names
    /// that carry an ABI number Debian changes (`.../vmlinuz-`).
    pub kernel: &'a str,
    pub initrd: &'a str,
    /// `-cpu`, `-m`, `-device` and the like; `-nic none` is added.
    pub args: &'a [&'a str],
    pub view: GuestView<'a>,
}

/// Boots the installer's kernel and initrd from `package` with
/// `rdinit=/bin/sh` and checks, at its shell, that the guest sees the
/// machine QEMU gave it ([`check_guest_view`]).
pub fn boot_installer(
    mut vm: Machine,
    package: &Asset,
    installer: &Installer<'_>,
) -> Result<(), TestError> {
    vm.set_machine(installer.machine)?;
    let kernel = if installer.kernel.ends_with('-') {
        vm.env().archive_find(package, installer.kernel)?
    } else {
        installer.kernel.to_owned()
    };
    let kernel = vm.env().archive_extract(package, &kernel)?;
    let initrd = vm.env().archive_extract(package, installer.initrd)?;
    vm.args(installer.args).args(["-nic", "none"]);
    launch_kernel(&mut vm, &kernel, Some(&initrd), "rdinit=/bin/sh")?;
    check_guest_view(&mut vm, &installer.view)
}

/// What busybox's shell says when it starts as the first process.
pub const SHELL_STARTED: &str = "can't access tty; job control turned off";

/// At the shell of a kernel booted with `rdinit=/bin/sh` (the Debian
/// installer's initrd): the kernel answers `uname`, the CPU model, the
/// memory size and the virtio device are those QEMU was given, and the
/// guest powers off cleanly, QEMU exiting 0.
pub fn check_guest_view(vm: &mut Machine, view: &GuestView<'_>) -> Result<(), TestError> {
    let console = vm.console();
    console.wait_for(SHELL_STARTED)?;
    run(
        console,
        "mount -t proc proc /proc; mount -t sysfs sysfs /sys",
    )?;
    let uname = run(console, "uname -a")?;
    crate::ensure!(uname.starts_with("Linux "), "uname -a said {uname:?}");
    let cpuinfo = run(console, "cat /proc/cpuinfo")?;
    crate::ensure!(
        cpuinfo.contains(view.cpuinfo),
        "/proc/cpuinfo does not name the CPU given ({:?}):\n{cpuinfo}",
        view.cpuinfo
    );
    let meminfo = run(console, "cat /proc/meminfo")?;
    let total_kib: u64 = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .ok_or_else(|| TestError::check(format!("no MemTotal in /proc/meminfo:\n{meminfo}")))?;
    let given_kib = view.memory_mib * 1024;
    // The kernel keeps some for itself, never more than it was given.
    crate::ensure!(
        total_kib <= given_kib && total_kib * 10 >= given_kib * 7,
        "MemTotal is {total_kib} kB for -m {}",
        view.memory_mib
    );
    if let Some(pci_ids) = view.pci_ids {
        let devices = run(
            console,
            "for d in /sys/bus/pci/devices/*; do echo $(cat $d/vendor):$(cat $d/device); done",
        )?;
        crate::ensure!(
            pci_ids.iter().any(|ids| devices.contains(ids)),
            "no PCI device {pci_ids:?} among:\n{devices}"
        );
    }
    console.send("poweroff -f\r")?;
    console.wait_for("reboot: Power down")?;
    let exit = vm.wait_exit()?;
    crate::ensure!(
        exit.code() == Some(0),
        "QEMU {exit} after the guest powered off"
    );
    Ok(())
}

/// Runs `command` at a shell prompt and returns what it printed. The end
/// is marked by `echo @@$((6*7))@@`, whose echo differs from its output,
/// so neither the echoed command nor an early prompt ends the wait.
pub fn run(console: &mut Console, command: &str) -> Result<String, ConsoleError> {
    console.run_marked(command, "echo @@$((6*7))@@", "@@42@@")
}

/// One entry of a newc archive we write.
struct CpioEntry<'a> {
    name: &'a str,
    mode: u32,
    data: &'a [u8],
    rdev: (u32, u32),
}

impl<'a> CpioEntry<'a> {
    fn dir(name: &'a str) -> CpioEntry<'a> {
        CpioEntry {
            name,
            mode: 0o040_755,
            data: b"",
            rdev: (0, 0),
        }
    }

    fn file(name: &'a str, permissions: u32, data: &'a [u8]) -> CpioEntry<'a> {
        CpioEntry {
            name,
            mode: 0o100_000 | permissions,
            data,
            rdev: (0, 0),
        }
    }

    fn write(&self, out: &mut Vec<u8>, ino: u32) -> std::io::Result<()> {
        let mut writer = cpio::newc::Builder::new(self.name)
            .ino(ino)
            .mode(self.mode)
            .nlink(1)
            .rdev_major(self.rdev.0)
            .rdev_minor(self.rdev.1)
            .write(out, self.data.len() as u32);
        writer.write_all(self.data)?;
        writer.finish().map(drop)
    }
}

/// Whether an ELF file names a program interpreter (is dynamically
/// linked): it would not run alone in an initramfs.
fn has_interpreter(elf: &[u8]) -> bool {
    if elf.len() < 64 || &elf[..4] != b"\x7fELF" {
        return false;
    }
    let wide = elf[4] == 2;
    let little = elf[5] == 1;
    let read = |at: usize, size: usize| -> usize {
        let bytes = &elf[at..at + size];
        let mut value = 0usize;
        for (i, byte) in bytes.iter().enumerate() {
            let shift = if little { i } else { size - 1 - i };
            value |= (*byte as usize) << (8 * shift);
        }
        value
    };
    let (phoff, phentsize, phnum) = if wide {
        (read(0x20, 8), read(0x36, 2), read(0x38, 2))
    } else {
        (read(0x1c, 4), read(0x2a, 2), read(0x2c, 2))
    };
    (0..phnum).any(|index| {
        let at = phoff + index * phentsize;
        // PT_INTERP is 3.
        at + 4 <= elf.len() && read(at, 4) == 3
    })
}
