//! Booting Linux kernels, as upstream's `LinuxKernelTest`
//! (tests/functional/qemu_test/linuxkernel.py) does, plus what our own
//! Linux tests add: a busybox initramfs the test builds, the Debian
//! installer's shell, and commands run there with their output.
//!
//! The API, named after Python's (these names stay):
//! - [`KERNEL_COMMON_COMMAND_LINE`] (`printk.time=0 `) and [`PANIC`];
//! - [`launch_kernel`]`(vm, kernel, initrd, dtb, console_index, wait_for)`:
//!   the panic message is a standing failure of every later wait;
//! - [`wait_for_console_pattern`]`(vm, pattern)`: fails at a panic;
//! - [`extract_from_deb`]`(env, asset, path)`;
//! - [`check_http_download`]`(vm, filename, hashsum)` and
//!   [`check_http_download_with`] (guest port, server command): a server
//!   in the guest, downloaded by the host through a `hostfwd` forward
//!   ([`usernet_hostfwd_port`]), its sha256 compared.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::assets::Asset;
use crate::assets::archive::Format;
use crate::harness::Machine;
use crate::harness::Skip;
use crate::harness::TestEnv;
use crate::harness::TestError;
use crate::harness::outcome::TestResult;
use crate::vm::{Console, ConsoleError, Match};

/// What a kernel prints when it gives up: fails every later wait.
pub const PANIC: &str = "Kernel panic - not syncing";
/// What QEMU's Python tests put first on every kernel command line
/// (`KERNEL_COMMON_COMMAND_LINE`, its trailing space included).
pub const KERNEL_COMMON_COMMAND_LINE: &str = "printk.time=0 ";
/// [`KERNEL_COMMON_COMMAND_LINE`] without its trailing space, for a
/// `format!` that puts its own separator after it.
pub const COMMON_COMMAND_LINE: &str = "printk.time=0";
/// What the initramfs's init prints once its shell is up.
pub const READY: &str = "qemu-functional: initramfs shell ready";

/// Python's `launch_kernel`: the console on serial port `console_index`,
/// `-kernel` (and `-initrd`, `-dtb`), launch, the panic message as a
/// standing failure pattern, then waits for `wait_for` if given. The
/// command line is the test's own `-append`, as in Python.
pub fn launch_kernel(
    vm: &mut Machine,
    kernel: &Path,
    initrd: Option<&Path>,
    dtb: Option<&Path>,
    console_index: usize,
    wait_for: Option<&str>,
) -> Result<(), TestError> {
    vm.set_console_index(console_index);
    vm.arg("-kernel").arg(kernel);
    if let Some(initrd) = initrd {
        vm.arg("-initrd").arg(initrd);
    }
    if let Some(dtb) = dtb {
        vm.arg("-dtb").arg(dtb);
    }
    vm.launch()?;
    vm.console().fail_on(PANIC);
    if let Some(pattern) = wait_for {
        wait_for_console_pattern(vm, pattern)?;
    }
    Ok(())
}

/// Python's `LinuxKernelTest` methods on the test's machine, so a port's
/// call reads as upstream's `self.launch_kernel(...)`, on one line.
pub trait LinuxKernel {
    /// [`launch_kernel`] on this machine.
    fn launch_kernel(
        &mut self,
        kernel: &Path,
        initrd: Option<&Path>,
        dtb: Option<&Path>,
        console_index: usize,
        wait_for: Option<&str>,
    ) -> Result<(), TestError>;
}

impl LinuxKernel for Machine {
    fn launch_kernel(
        &mut self,
        kernel: &Path,
        initrd: Option<&Path>,
        dtb: Option<&Path>,
        console_index: usize,
        wait_for: Option<&str>,
    ) -> Result<(), TestError> {
        launch_kernel(self, kernel, initrd, dtb, console_index, wait_for)
    }
}

/// The opening of many upstream boot tests: `set_console()`, `-kernel
/// <kernel> -append <command_line>`, launch, then wait for the kernel to
/// echo `Kernel command line: <command_line>` (a panic fails it).
pub fn boot_to_command_line(vm: &mut Machine, kernel: &Path, command_line: &str) -> TestResult {
    boot_dtb_to_command_line(vm, kernel, None, command_line)
}

/// [`boot_to_command_line`] with `-dtb <dtb>` after `-kernel`, as the
/// board tests that boot a Debian or Armbian kernel with its device tree
/// write it.
pub fn boot_dtb_to_command_line(
    vm: &mut Machine,
    kernel: &Path,
    dtb: Option<&Path>,
    command_line: &str,
) -> TestResult {
    vm.set_console();
    vm.arg("-kernel").arg(kernel);
    if let Some(dtb) = dtb {
        vm.arg("-dtb").arg(dtb);
    }
    vm.args(["-append", command_line]);
    vm.launch()?;
    wait_for_console_pattern(vm, &command_line_echo(command_line))?;
    Ok(())
}

/// The opening of the board tests that boot a cpio rootfs from
/// groeck's linux-build-test: `-append <command_line> -no-reboot`,
/// [`launch_kernel`] with `initrd` (and `dtb`), then wait for the
/// rootfs's `Boot successful.` (a panic fails it).
pub fn boot_initrd_to_shell(
    vm: &mut Machine,
    kernel: &Path,
    initrd: &Path,
    dtb: Option<&Path>,
    command_line: &str,
) -> TestResult {
    vm.args(["-append", command_line, "-no-reboot"]);
    launch_kernel(vm, kernel, Some(initrd), dtb, 0, Some("Boot successful."))?;
    Ok(())
}

/// What a kernel prints of the command line it was given.
pub fn command_line_echo(command_line: &str) -> String {
    format!("Kernel command line: {command_line}")
}

/// Python's `LinuxKernelTest.wait_for_console_pattern`: waits for
/// `pattern`, failing at once if the kernel panics first.
pub fn wait_for_console_pattern(vm: &mut Machine, pattern: &str) -> Result<Match, ConsoleError> {
    vm.console().wait_for_console_pattern(pattern, Some(PANIC))
}

/// Python's `extract_from_deb`: the file at `path` (`/boot/vmlinuz-...`,
/// the leading slash as upstream writes it) of the Debian package `deb`.
pub fn extract_from_deb(env: &TestEnv, deb: &Asset, path: &str) -> Result<PathBuf, TestError> {
    env.archive_extract_as(deb, Format::Deb, Some(deb_member(path)))
}

/// Python's `check_http_download` with its defaults: `python3 -m
/// http.server` on guest port 8080.
pub fn check_http_download(vm: &mut Machine, filename: &str, hashsum: &str) -> TestResult {
    check_http_download_with(vm, filename, hashsum, 8080, "python3 -m http.server")
}

/// Starts `{server} {guest_port} & sleep 1` at the guest's shell, waits
/// for `Serving HTTP on 0.0.0.0 port {guest_port}`, downloads `filename`
/// from the host through the usernet forward, and checks its sha256.
pub fn check_http_download_with(
    vm: &mut Machine,
    filename: &str,
    hashsum: &str,
    guest_port: u16,
    server: &str,
) -> TestResult {
    vm.console().exec_command_and_wait_for_pattern(
        &format!("{server} {guest_port} & sleep 1"),
        &format!("Serving HTTP on 0.0.0.0 port {guest_port}"),
        None,
    )?;
    let host_port = usernet_hostfwd_port(vm)?;
    let url = format!("http://localhost:{host_port}{filename}");
    vm.env().log(format_args!("downloading {url}"));
    let digest = http_sha256(host_port, filename)?;
    vm.env()
        .log(format_args!("sha256sum of download is {digest}"));
    crate::ensure!(
        digest == hashsum,
        "{url}: sha256 is {digest}, expected {hashsum}"
    );
    Ok(())
}

/// Python's `get_usernet_hostfwd_port`: the host port of the first TCP
/// forward `info usernet` lists.
pub fn usernet_hostfwd_port(vm: &mut Machine) -> Result<u16, TestError> {
    let info = vm.qmp().hmp("info usernet")?;
    info.lines().find_map(hostfwd_port).ok_or_else(|| {
        TestError::check(format!(
            "\"info usernet\" lists no TCP host forward: {info:?}"
        ))
    })
}

/// The host port of a line like
/// `  TCP[HOST_FORWARD]  12  127.0.0.1 41245  10.0.2.15  22  0  0`, as
/// Python's regex `TCP.HOST_FORWARD.*127\.0\.0\.1\s+(\d+)\s+10\.` reads it.
pub fn hostfwd_port(line: &str) -> Option<u16> {
    let rest = &line[line.find("TCP[HOST_FORWARD]")?..];
    let mut words = rest
        .split_whitespace()
        .skip_while(|word| *word != "127.0.0.1");
    words.next()?;
    let port = words.next()?.parse().ok()?;
    words.next()?.starts_with("10.").then_some(port)
}

/// GETs `path` from `127.0.0.1:port` (HTTP/1.0, as Python's http.server
/// speaks it) and returns the sha256 of the body, read in chunks so a
/// disk image never sits in memory.
pub fn http_sha256(port: u16, path: &str) -> Result<String, TestError> {
    let url = format!("http://localhost:{port}{path}");
    let io = |what: &str, err| TestError::io(format!("{url}: {what}"), err);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|err| io("connect", err))?;
    // A guest that stops sending fails the download rather than hanging.
    stream
        .set_read_timeout(Some(HTTP_READ_TIMEOUT))
        .map_err(|err| io("set timeout", err))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|err| io("send request", err))?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= HTTP_HEAD_LIMIT {
            return Err(TestError::check(format!(
                "{url}: no end of headers in {HTTP_HEAD_LIMIT} bytes"
            )));
        }
        match stream
            .read(&mut byte)
            .map_err(|err| io("read headers", err))?
        {
            0 => {
                return Err(TestError::check(format!(
                    "{url}: connection closed in the headers"
                )));
            }
            _ => head.push(byte[0]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let status = head.lines().next().unwrap_or_default();
    crate::ensure!(
        status.split_whitespace().nth(1) == Some("200"),
        "{url}: {status}"
    );
    let mut hash = Sha256::new();
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = stream
            .read(&mut chunk)
            .map_err(|err| io("read body", err))?;
        if n == 0 {
            break;
        }
        hash.update(&chunk[..n]);
    }
    Ok(hash
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

/// How long a download may go without a byte.
const HTTP_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// The most header bytes a response may have.
const HTTP_HEAD_LIMIT: usize = 64 * 1024;

/// The member of a deb's data archive at `path`: Python's callers write
/// `/boot/...`; the archive holds `./boot/...`, matched as `boot/...`.
fn deb_member(path: &str) -> &str {
    path.trim_start_matches('/')
}

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
    let mut line = format!(
        "{KERNEL_COMMON_COMMAND_LINE}console={}",
        serial_console(arch)
    );
    if !extra.is_empty() {
        line.push(' ');
        line.push_str(extra);
    }
    line
}

/// Boots `kernel` (and `initrd`) with [`command_line`] for the machine's
/// target plus `extra`, `-no-reboot` so a kernel that gives up ends the
/// test rather than loop, and the panic message as a standing failure.
pub fn boot_with_command_line(
    vm: &mut Machine,
    kernel: &Path,
    initrd: Option<&Path>,
    extra: &str,
) -> Result<(), TestError> {
    let append = command_line(&vm.env().id().arch.clone(), extra);
    vm.args(["-no-reboot", "-append", &append]);
    launch_kernel(vm, kernel, initrd, None, 0, None)
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
    boot_with_command_line(&mut vm, &kernel, Some(&initrd), "rdinit=/bin/sh")?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn parses_the_forward_line() {
        let line =
            "  TCP[HOST_FORWARD]  13       127.0.0.1 39373       10.0.2.15    22     0     0";
        assert_eq!(hostfwd_port(line), Some(39373));
        assert_eq!(
            hostfwd_port("  UDP[236 sec]  14  10.0.2.15  68  255.255.255.255 67"),
            None
        );
    }

    #[test]
    fn the_command_line_is_awaited_as_the_kernel_echoes_it() {
        assert_eq!(
            command_line_echo("printk.time=0 console=ttyS0"),
            "Kernel command line: printk.time=0 console=ttyS0"
        );
    }

    #[test]
    fn the_common_command_line_is_pythons() {
        assert_eq!(KERNEL_COMMON_COMMAND_LINE, "printk.time=0 ");
        assert_eq!(
            command_line("arm", "rdinit=/bin/sh"),
            "printk.time=0 console=ttyAMA0 rdinit=/bin/sh"
        );
        assert_eq!(deb_member("/boot/vmlinuz-4.19.0"), "boot/vmlinuz-4.19.0");
    }

    /// Serves one connection on 127.0.0.1 with `response`, then stops.
    fn serve_once(response: Vec<u8>) -> (u16, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut request = Vec::new();
            let mut byte = [0u8; 1];
            while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
                request.push(byte[0]);
            }
            stream.write_all(&response).unwrap();
            String::from_utf8_lossy(&request).into_owned()
        });
        (port, server)
    }

    #[test]
    fn http_download_hashes_the_body_it_asked_for() {
        let body = vec![b'x'; 3 << 20];
        let mut response =
            b"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n".to_vec();
        response.extend_from_slice(&body);
        let (port, server) = serve_once(response);
        let digest = http_sha256(port, "/images/disk.img").unwrap();
        let expected: String = Sha256::digest(&body)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(digest, expected);
        let request = server.join().unwrap();
        assert!(
            request.starts_with("GET /images/disk.img HTTP/1.0\r\n"),
            "{request}"
        );
    }

    #[test]
    fn http_download_fails_on_a_missing_file_naming_the_url() {
        let (port, server) = serve_once(b"HTTP/1.0 404 File not found\r\n\r\nnope".to_vec());
        let err = http_sha256(port, "/nothing").unwrap_err().to_string();
        server.join().unwrap();
        assert_eq!(
            err,
            format!("http://localhost:{port}/nothing: HTTP/1.0 404 File not found")
        );
    }
}

/// Python's `image_pow2ceil_expand` (qemu_test/utils.py), on a scratch copy:
/// SD cards must be a power of two in size, and the uncompressed image in
/// the cache stays read-only. Returns the copy, grown with zeros to the
/// next power of two (as it is when it already is one).
pub fn image_pow2ceil_expand(env: &TestEnv, image: &Path) -> Result<PathBuf, TestError> {
    let copy = env.writable_copy(image)?;
    let size = pow2ceil_expand(&copy)
        .map_err(|err| TestError::io(format!("expanding {}", copy.display()), err))?;
    env.log(format_args!("{} expanded to {size} bytes", copy.display()));
    Ok(copy)
}

/// Python's `file_truncate`: sets the size of a writable file (a scratch
/// copy), growing it with zeros or cutting it.
pub fn file_truncate(path: &Path, size: u64) -> Result<(), TestError> {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|file| file.set_len(size))
        .map_err(|err| TestError::io(format!("truncating {} to {size}", path.display()), err))
}

/// `dd if=source of=target bs=1 seek=offset conv=notrunc`: writes a
/// boot loader into a disk image (a writable copy) at its offset.
pub fn file_write_at(target: &Path, offset: u64, source: &Path) -> Result<(), TestError> {
    use std::io::{Seek, SeekFrom};
    let context = || {
        format!(
            "writing {} into {} at {offset}",
            source.display(),
            target.display()
        )
    };
    let mut from = std::fs::File::open(source).map_err(|err| TestError::io(context(), err))?;
    std::fs::OpenOptions::new()
        .write(true)
        .open(target)
        .and_then(|mut to| {
            to.seek(SeekFrom::Start(offset))?;
            std::io::copy(&mut from, &mut to)
        })
        .map(drop)
        .map_err(|err| TestError::io(context(), err))
}

/// Copies `size` bytes of `source` from `offset` into `target`: a
/// kernel, initrd or dtb at a known place of a raw disk image.
pub fn file_extract(source: &Path, offset: u64, size: u64, target: &Path) -> Result<(), TestError> {
    use std::io::{Seek, SeekFrom};
    let context = || {
        format!(
            "extracting {size} bytes at {offset} of {} to {}",
            source.display(),
            target.display()
        )
    };
    std::fs::File::open(source)
        .and_then(|mut from| {
            from.seek(SeekFrom::Start(offset))?;
            let mut to = std::fs::File::create(target)?;
            std::io::copy(&mut from.take(size), &mut to)
        })
        .map_err(|err| TestError::io(context(), err))
        .and_then(|copied| {
            crate::ensure!(copied == size, "{}: only {copied} bytes", context());
            Ok(())
        })
}

/// Grows `path` to the next power of two of its size; returns the size.
fn pow2ceil_expand(path: &Path) -> std::io::Result<u64> {
    let size = std::fs::metadata(path)?.len();
    let aligned = size.max(1).next_power_of_two();
    if aligned != size {
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)?
            .set_len(aligned)?;
    }
    Ok(aligned)
}

#[cfg(test)]
mod image_tests {
    use super::*;

    #[test]
    fn images_grow_to_the_next_power_of_two_keeping_their_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("sd.img");
        std::fs::write(&image, vec![7u8; 3000]).unwrap();
        assert_eq!(pow2ceil_expand(&image).unwrap(), 4096);
        let bytes = std::fs::read(&image).unwrap();
        assert_eq!(bytes.len(), 4096);
        assert!(bytes[..3000].iter().all(|byte| *byte == 7));
        assert!(bytes[3000..].iter().all(|byte| *byte == 0));
        // Already a power of two: unchanged.
        assert_eq!(pow2ceil_expand(&image).unwrap(), 4096);
        assert_eq!(std::fs::metadata(&image).unwrap().len(), 4096);
    }

    #[test]
    fn file_truncate_sets_the_size_and_names_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let spi = dir.path().join("spi.bin");
        std::fs::write(&spi, b"flash").unwrap();
        file_truncate(&spi, 16 << 20).unwrap();
        assert_eq!(std::fs::metadata(&spi).unwrap().len(), 16 << 20);
        let missing = dir.path().join("missing.bin");
        let err = file_truncate(&missing, 1).unwrap_err().to_string();
        assert!(
            err.contains(&format!("truncating {} to 1", missing.display())),
            "{err}"
        );
    }

    #[test]
    fn byte_ranges_go_in_and_out_of_an_image() {
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("armv7.img");
        let uboot = dir.path().join("u-boot.bin");
        std::fs::write(&image, vec![0u8; 16 * 1024]).unwrap();
        std::fs::write(&uboot, b"SPL!").unwrap();
        file_write_at(&image, 8 * 1024, &uboot).unwrap();
        let bytes = std::fs::read(&image).unwrap();
        assert_eq!(bytes.len(), 16 * 1024, "conv=notrunc keeps the size");
        assert_eq!(&bytes[8192..8196], b"SPL!");
        let out = dir.path().join("out");
        file_extract(&image, 8190, 4, &out).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"\0\0SP");
        let err = file_extract(&image, 16 * 1024 - 2, 4, &out)
            .unwrap_err()
            .to_string();
        assert!(err.ends_with(": only 2 bytes"), "{err}");
    }
}
