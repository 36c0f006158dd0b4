//! The MIPS Malta checks upstream's four `test_malta.py` files share
//! (tests/functional/mips/test_malta.py's `mips_run_common_commands` and
//! `mips_check_wheezy`, and mipsel's YAMON test, which mips64el's file
//! imports), written once for the mips, mipsel, mips64 and mips64el crates.
//!
//! Python's names stay. Each test file declares its assets with `#[asset]`
//! and hands over what it fetched.

use std::path::Path;

use crate::assets::Asset;
use crate::guests::linux;
use crate::guests::replay::ReplayKernel;
use crate::harness::Machine;
use crate::harness::outcome::TestResult;
use crate::vm::{Console, ConsoleError};

/// What `mips_check_wheezy` checks beyond the boot, Python's keyword
/// arguments: [`Wheezy::new`] holds upstream's defaults (`nic='pcnet'`,
/// `cpuinfo='MIPS 24Kc'`), a test overrides them with [`Wheezy::nic`] and
/// [`Wheezy::cpuinfo`].
#[derive(Debug, Clone, Copy)]
pub struct Wheezy<'a> {
    /// The guest file the host downloads over HTTP.
    pub dl_file: &'a str,
    /// Its sha256.
    pub hsum: &'a str,
    /// The network card.
    pub nic: &'a str,
    /// What `/proc/cpuinfo` names.
    pub cpuinfo: &'a str,
}

impl<'a> Wheezy<'a> {
    pub const fn new(dl_file: &'a str, hsum: &'a str) -> Wheezy<'a> {
        Wheezy {
            dl_file,
            hsum,
            nic: "pcnet",
            cpuinfo: "MIPS 24Kc",
        }
    }

    /// Python's `nic=` keyword: another network card.
    pub const fn nic(self, nic: &'a str) -> Wheezy<'a> {
        Wheezy { nic, ..self }
    }

    /// Python's `cpuinfo=` keyword: another CPU in `/proc/cpuinfo`.
    pub const fn cpuinfo(self, cpuinfo: &'a str) -> Wheezy<'a> {
        Wheezy { cpuinfo, ..self }
    }
}

/// Python's `mips_run_common_commands(test, prompt='#')`: the guest sees
/// the Malta's CPU, its XT-PIC interrupts, devices and I/O ports.
pub fn mips_run_common_commands(console: &mut Console, prompt: &str) -> Result<(), ConsoleError> {
    console.exec_command_and_wait_for_pattern("uname -m", "mips", None)?;
    console.exec_command_and_wait_for_pattern("grep XT-PIC /proc/interrupts", "timer", None)?;
    console.wait_for(prompt)?;
    for (command, pattern) in [
        ("grep XT-PIC /proc/interrupts", "serial"),
        ("grep XT-PIC /proc/interrupts", "ata_piix"),
        ("grep XT-PIC /proc/interrupts", "rtc"),
        ("cat /proc/devices", "input"),
        ("cat /proc/devices", "fb"),
        ("cat /proc/ioports", " : serial"),
        ("cat /proc/ioports", " : ata_piix"),
    ] {
        console.exec_command_and_wait_for_pattern(command, pattern, None)?;
        console.wait_for(prompt)?;
    }
    Ok(())
}

/// Python's `mips_check_wheezy`: Aurelien Jarno's Debian wheezy image
/// boots on malta to a root login, passes the common commands, serves
/// `dl_file` to the host through a `hostfwd` forward, and shows the
/// Malta's CPU, USB, PIIX4 SMBus, GT-64120 and YAMON flash.
pub fn mips_check_wheezy(
    vm: &mut Machine,
    kernel_path: &Path,
    image_path: &Path,
    kernel_command_line: &str,
    wheezy: Wheezy<'_>,
) -> TestResult {
    vm.require_netdev("user")?;
    vm.require_device(wheezy.nic)?;
    vm.set_machine("malta")?;

    let port = 8080;
    let tftp = kernel_path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    vm.arg("-kernel").arg(kernel_path);
    vm.args(["-append", kernel_command_line]);
    vm.arg("-drive")
        .arg(format!("file={},snapshot=on", image_path.display()));
    vm.args([
        "-netdev",
        &format!("user,id=n1,tftp={tftp},hostfwd=tcp:127.0.0.1:0-:{port}"),
    ]);
    vm.args([
        "-device",
        &format!("{},netdev=n1", wheezy.nic),
        "-no-reboot",
    ]);
    vm.set_console();
    vm.launch()?;

    let console = vm.console();
    console.wait_for_console_pattern("login: ", Some("Oops"))?;
    console.exec_command_and_wait_for_pattern("root", "Password:", None)?;
    console.exec_command_and_wait_for_pattern("root", ":~# ", None)?;
    mips_run_common_commands(console, "#")?;

    console.exec_command_and_wait_for_pattern("cd /", "# ", None)?;
    linux::check_http_download_with(
        vm,
        wheezy.dl_file,
        wheezy.hsum,
        port,
        "python -m SimpleHTTPServer",
    )?;

    let console = vm.console();
    console.exec_command_and_wait_for_pattern("cat /proc/cpuinfo", wheezy.cpuinfo, None)?;
    console.exec_command_and_wait_for_pattern("cat /proc/devices", "usb", None)?;
    console.exec_command_and_wait_for_pattern("cat /proc/ioports", " : piix4_smbus", None)?;
    console.exec_command_and_wait_for_pattern("lspci -d 11ab:4620", "GT-64120", None)?;
    console.exec_command_and_wait_for_pattern(
        "cat /sys/bus/i2c/devices/i2c-0/name",
        "SMBus PIIX4 adapter",
        None,
    )?;
    console.exec_command_and_wait_for_pattern("cat /proc/mtd", "YAMON", None)?;
    // Empty 'Board Config' (64KB)
    console.exec_command_and_wait_for_pattern(
        "md5sum /dev/mtd2ro",
        "0dfbe8aa4c20b52e1b8bf3cb6cbdf193",
        None,
    )?;
    Ok(())
}

/// The body of upstream's four `test_wheezy` methods: the file's wheezy
/// `kernel` and `disk` boot with `console=ttyS0 root=/dev/sda1` and pass
/// [`mips_check_wheezy`] with what `wheezy` says. The kernel is fetched
/// first, as upstream does.
pub fn check_wheezy(
    vm: &mut Machine,
    kernel: &Asset,
    disk: &Asset,
    wheezy: Wheezy<'_>,
) -> TestResult {
    let kernel_path = vm.env().fetch(kernel)?;
    let image_path = vm.env().fetch(disk)?;
    let kernel_command_line = format!(
        "{}console=ttyS0 root=/dev/sda1",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    mips_check_wheezy(vm, &kernel_path, &image_path, &kernel_command_line, wheezy)
}

/// The record/replay of a Malta cpio boot, mips's and mips64el's
/// `test_replay.py` `*_cpio` methods' shared `run_rr` call: `kernel` with
/// the cpio rootfs `initrd` and its command line (`rdinit=/sbin/init
/// noreboot`), `shift=5`, to `Boot successful.`.
pub fn replay_malta_cpio(vm: &mut Machine, kernel: &Path, initrd: &Path) -> TestResult {
    let kernel_command_line = format!(
        "{}console=ttyS0 console=tty rdinit=/sbin/init noreboot",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    let console_pattern = "Boot successful.";
    vm.run_rr_with(
        kernel,
        &kernel_command_line,
        console_pattern,
        5,
        &[&"-initrd", &initrd],
    )
}

/// The ROM file in upstream's YAMON archive.
pub const YAMON_BIN: &str = "yamon-02.22.bin";

/// Python's `MaltaMachineYAMON.test_mipsel_malta_yamon` (mipsel's file;
/// mips64el's imports the class): the YAMON ROM of `yamon_rom`, an
/// archive, reaches its prompt once Enter interrupts its banner.
pub fn mipsel_malta_yamon(vm: &mut Machine, yamon_rom: &Asset) -> TestResult {
    let yamon_path = vm.env().archive_extract_all(yamon_rom)?.join(YAMON_BIN);

    vm.set_machine("malta")?;
    vm.set_console();
    vm.arg("-bios").arg(&yamon_path);
    vm.launch()?;

    let prompt = "YAMON>";
    let pattern = "YAMON ROM Monitor";
    let console = vm.console();
    console.interrupt_interactive_console_until_pattern(pattern, Some(prompt), None)?;
    console.wait_for(prompt)?;
    vm.shutdown()?;
    Ok(())
}
