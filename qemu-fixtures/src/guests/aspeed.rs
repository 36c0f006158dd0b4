//! Aspeed BMC boots, as QEMU's `AspeedTest`: an OpenBMC, buildroot or
//! Aspeed SDK flash image on the machine's MTD, U-Boot's FIT load, the
//! kernel, the login; the OTP memory image of the AST1030/AST1060/AST2600;
//! and the AST2700 SDK flow of the aarch64 tests.

use std::path::{Path, PathBuf};

use crate::guests::linux::PANIC;
use crate::harness::{Machine, TestEnv, TestError, TestResult};
use crate::vm::Console;

/// The buildroot images' root password.
pub const BUILDROOT_PASSWORD: &str = "passw0rd";

/// An OpenBMC boot to systemd's hostname line, with `AspeedTest`'s
/// defaults: U-Boot 2019.04, CPU `0x0`, an AST2500 rev A1.
#[derive(Debug, Clone, Copy)]
pub struct OpenBmc<'a> {
    pub machine: &'a str,
    pub uboot: &'a str,
    pub cpu_id: &'a str,
    pub soc: &'a str,
    /// The image's hostname when it is not the machine's name minus `-bmc`.
    pub hostname: Option<&'a str>,
}

impl<'a> OpenBmc<'a> {
    pub const fn new(machine: &'a str) -> OpenBmc<'a> {
        OpenBmc {
            machine,
            uboot: "2019.04",
            cpu_id: "0x0",
            soc: "AST2500 rev A1",
            hostname: None,
        }
    }

    pub const fn uboot(self, uboot: &'a str) -> OpenBmc<'a> {
        OpenBmc { uboot, ..self }
    }

    pub const fn cpu_id(self, cpu_id: &'a str) -> OpenBmc<'a> {
        OpenBmc { cpu_id, ..self }
    }

    pub const fn soc(self, soc: &'a str) -> OpenBmc<'a> {
        OpenBmc { soc, ..self }
    }

    pub const fn hostname(self, hostname: &'a str) -> OpenBmc<'a> {
        OpenBmc {
            hostname: Some(hostname),
            ..self
        }
    }

    /// The hostname systemd sets: the image's, else the machine's name
    /// without its `-bmc` suffix.
    pub fn expected_hostname(&self) -> &'a str {
        self.hostname
            .unwrap_or_else(|| self.machine.strip_suffix("-bmc").unwrap_or(self.machine))
    }

    /// `do_test_arm_aspeed_openbmc`: boots `image` (a snapshot of it) up
    /// to systemd setting the hostname.
    pub fn boot(&self, vm: &mut Machine, image: &Path) -> TestResult {
        vm.set_machine(self.machine)?;
        vm.set_console();
        vm.args(["-drive", &mtd(image, ""), "-snapshot"]).launch()?;
        let console = vm.console();
        console.fail_on(PANIC);
        console.wait_for(&format!("U-Boot {}", self.uboot))?;
        console.wait_for("## Loading kernel from FIT Image")?;
        console.wait_for("Starting kernel ...")?;
        console.wait_for(&format!("Booting Linux on physical CPU {}", self.cpu_id))?;
        console.wait_for(&format!("ASPEED {}", self.soc))?;
        console.wait_for("/init as init process")?;
        console.wait_for(&format!(
            "systemd[1]: Hostname set to <{}>.",
            self.expected_hostname()
        ))?;
        Ok(())
    }
}

/// `do_test_arm_aspeed_buildroot_start`: boots a read-only buildroot flash
/// image with a user-mode NIC, waits for the DHCP lease and `pattern` (the
/// line before the login prompt), and logs in as root.
pub fn buildroot_start(vm: &mut Machine, image: &Path, cpu_id: &str, pattern: &str) -> TestResult {
    vm.require_netdev("user")?;
    vm.set_console();
    vm.args(["-drive", &mtd(image, ",read-only=true")])
        .args(["-net", "nic", "-net", "user"])
        .launch()?;
    let console = vm.console();
    console.fail_on(PANIC);
    console.wait_for("U-Boot 2019.04")?;
    console.wait_for("## Loading kernel from FIT Image")?;
    console.wait_for("Starting kernel ...")?;
    console.wait_for(&format!("Booting Linux on physical CPU {cpu_id}"))?;
    console.wait_for("lease of 10.0.2.15")?;
    console.wait_for(pattern)?;
    console.exec_command_and_wait_for_pattern("root", "Password:", None)?;
    console.exec_command_and_wait_for_pattern(BUILDROOT_PASSWORD, "#", None)?;
    Ok(())
}

/// `do_test_arm_aspeed_buildroot_poweroff`.
pub fn buildroot_poweroff(vm: &mut Machine) -> TestResult {
    vm.console()
        .exec_command_and_wait_for_pattern("poweroff", "System halted", None)?;
    Ok(())
}

/// `do_test_arm_aspeed_sdk_start`: boots an Aspeed SDK flash image (a
/// snapshot of it) with a user-mode NIC up to the kernel's start.
pub fn sdk_start(vm: &mut Machine, image: &Path) -> TestResult {
    vm.require_netdev("user")?;
    vm.set_console();
    vm.args(["-drive", &mtd(image, "")])
        .args(["-net", "nic", "-net", "user", "-snapshot"])
        .launch()?;
    let console = vm.console();
    console.fail_on(PANIC);
    console.wait_for("U-Boot 2019.04")?;
    console.wait_for("## Loading kernel from FIT Image")?;
    console.wait_for("Starting kernel ...")?;
    Ok(())
}

/// `generate_otpmem_image`: a 16 KiB OTP memory in scratch, alternating
/// four zero bytes and four 0xff bytes, as a blank part reads.
pub fn generate_otpmem_image(env: &TestEnv) -> Result<PathBuf, TestError> {
    let path = env.scratch_file(["otpmem.img"]);
    std::fs::write(&path, otpmem_pattern())
        .map_err(|err| TestError::io(format!("writing {}", path.display()), err))?;
    Ok(path)
}

/// `generate_otpmem_image` and the arguments that back the machine's OTP
/// memory with it: `-blockdev` node `otp` and `-global aspeed-otp.drive=otp`.
pub fn otp_blockdev(vm: &mut Machine) -> TestResult {
    let otp_img = generate_otpmem_image(vm.env())?;
    vm.arg("-blockdev").arg(otp_blockdev_arg(&otp_img));
    vm.args(["-global", "aspeed-otp.drive=otp"]);
    Ok(())
}

/// What `AST2x00MachineSDK.verify_openbmc_boot_start` does after
/// `disable_kernel_crypto_selftest`: enable the second PCIe bus in the
/// device tree before booting, or boot as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pcie2 {
    Enable,
    AsIs,
}

/// `do_test_aarch64_aspeed_sdk_start`: an AST2700 SDK flash image (a
/// snapshot of it) with a tmp105 (`tmp-test-<bus_id>`) on I2C bus `bus_id`
/// and a user-mode NIC.
pub fn ast2700_sdk_start(vm: &mut Machine, image: &Path, bus_id: u32) -> TestResult {
    vm.require_netdev("user")?;
    vm.set_console();
    vm.args([
        "-device",
        &format!("tmp105,bus=aspeed.i2c.bus.{bus_id},address=0x4d,id=tmp-test-{bus_id}"),
    ]);
    vm.args(["-drive", &mtd(image, "")])
        .args(["-net", "nic", "-net", "user", "-snapshot"]);
    vm.launch()?;
    Ok(())
}

/// `start_ast2700_test`: loads U-Boot, TF-A's BL31 (`bl31`, relative to
/// the image directory `dir`) and OP-TEE at their addresses, starts the
/// four Cortex-A35s at BL31, and boots `dir/image-bmc`.
pub fn start_ast2700_test(vm: &mut Machine, dir: &Path, bl31: &[&str], bus_id: u32) -> TestResult {
    let bl31 = bl31
        .iter()
        .fold(dir.to_path_buf(), |path, part| path.join(part));
    let load_images = [
        ("0x400000000", dir.join("u-boot.bin")),
        ("0x430000000", bl31),
        ("0x430080000", dir.join("optee").join("tee-raw.bin")),
    ];
    load_raw_images(vm, &load_images);
    let num_cpu = 4;
    load_entry(vm, 0..num_cpu);
    vm.args(["-smp", &num_cpu.to_string()]);
    ast2700_sdk_start(vm, &dir.join("image-bmc"), bus_id)
}

/// `start_ast2700_test_vbootrom`: boots `dir/image-bmc` through QEMU's
/// own AST27x0 boot ROM.
pub fn start_ast2700_test_vbootrom(vm: &mut Machine, dir: &Path, bus_id: u32) -> TestResult {
    vm.args(["-bios", "ast27x0_bootrom.bin"]);
    ast2700_sdk_start(vm, &dir.join("image-bmc"), bus_id)
}

/// `loader,force-raw=on,addr=<addr>,file=<file>` for each image.
pub fn load_raw_images(vm: &mut Machine, images: &[(&str, PathBuf)]) {
    for (addr, file) in images {
        vm.arg("-device").arg(format!(
            "loader,force-raw=on,addr={addr},file={}",
            file.display()
        ));
    }
}

/// `loader,addr=0x430000000,cpu-num=<i>`: each CPU starts at BL31.
pub fn load_entry(vm: &mut Machine, cpus: std::ops::Range<u32>) {
    for i in cpus {
        vm.args(["-device", &format!("loader,addr=0x430000000,cpu-num={i}")]);
    }
}

/// `verify_vbootrom_firmware_flow`: the boot ROM checks and loads each
/// image of the caliptra flash, then jumps to TF-A.
pub fn verify_vbootrom_firmware_flow(console: &mut Console) -> TestResult {
    console.wait_for("Found valid caliptra flash image")?;
    for step in [
        "Check flash image checksum",
        "Read abb header",
        "Read soc manifest",
        "Load atf image",
        "Load optee image",
        "Load uboot image",
        "Load ssp image",
        "Load tsp image",
    ] {
        console.wait_for(step)?;
        console.wait_for("pass")?;
    }
    console.wait_for("Jumping to BL31 (Trusted Firmware-A)")?;
    Ok(())
}

/// `enable_ast2700_pcie2`: at U-Boot's prompt, loads the FIT image by
/// hand, sets the second PCIe controller's status to okay, and boots.
pub fn enable_ast2700_pcie2(console: &mut Console) -> TestResult {
    for command in [
        "cp 100420000 403000000 900000",
        "bootm start 403000000",
        "bootm loados",
        "bootm ramdisk",
        "bootm prep",
        "fdt set /soc@14000000/pcie@140d0000 status \"okay\"",
    ] {
        console.exec_command_and_wait_for_pattern(command, "=>", None)?;
    }
    console.exec_command("bootm go")?;
    Ok(())
}

/// `verify_openbmc_boot_start`: stops U-Boot 2023.10's autoboot, disables
/// the kernel's crypto self-tests, boots, and waits for the kernel.
pub fn verify_openbmc_boot_start(console: &mut Console, pcie2: Pcie2) -> TestResult {
    console.wait_for("U-Boot 2023.10")?;
    console.wait_for("Hit any key to stop autoboot")?;
    console.exec_command_and_wait_for_pattern("\n", "=>", None)?;
    console.exec_command_and_wait_for_pattern(
        "setenv bootargs \"${bootargs} cryptomgr.notests=1\"",
        "=>",
        None,
    )?;
    match pcie2 {
        Pcie2::Enable => enable_ast2700_pcie2(console)?,
        Pcie2::AsIs => console.exec_command("boot")?,
    }
    console.wait_for("Linux version ")?;
    Ok(())
}

/// `verify_openbmc_boot_and_login`: the boot, then root's login to the
/// `root@<name>:~#` prompt.
pub fn verify_openbmc_boot_and_login(
    console: &mut Console,
    name: &str,
    pcie2: Pcie2,
) -> TestResult {
    verify_openbmc_boot_start(console, pcie2)?;
    console.wait_for("login:")?;
    openbmc_login(console, name)
}

/// Root's login with the SDK's password, to the `root@<name>:~#` prompt.
pub fn openbmc_login(console: &mut Console, name: &str) -> TestResult {
    console.exec_command_and_wait_for_pattern("root", "Password:", None)?;
    console.exec_command_and_wait_for_pattern("0penBmc", &format!("root@{name}:~#"), None)?;
    Ok(())
}

/// `do_ast2700_i2c_test`: the guest binds lm75 to the tmp105 at 0x4d of
/// bus `bus`, reads 0, and reads 18000 once QMP set the temperature of
/// `device` (a `/machine/peripheral/` id).
pub fn ast2700_i2c_test(vm: &mut Machine, bus: u32, device: &str) -> TestResult {
    let hwmon = format!("cat /sys/bus/i2c/devices/{bus}-004d/hwmon/hwmon*/temp1_input");
    let console = vm.console();
    console.exec_command_and_wait_for_pattern(
        &format!("echo lm75 0x4d > /sys/class/i2c-dev/i2c-{bus}/device/new_device "),
        &format!("i2c i2c-{bus}: new_device: Instantiated device lm75 at 0x4d"),
        None,
    )?;
    console.exec_command_and_wait_for_pattern(&hwmon, "0", None)?;
    vm.cmd(
        "qom-set",
        serde_json::json!({"path": format!("/machine/peripheral/{device}"),
                           "property": "temperature", "value": 18000}),
    )?;
    vm.console()
        .exec_command_and_wait_for_pattern(&hwmon, "18000", None)?;
    Ok(())
}

/// `do_ast2700_pcie_test`: the AST1150 bridge and the e1000e behind it on
/// domain 2, and the e1000e's DHCP address.
pub fn ast2700_pcie_test(console: &mut Console) -> TestResult {
    console.exec_command_and_wait_for_pattern(
        "lspci -s 0002:00:00.0",
        "0002:00:00.0 PCI bridge: ASPEED Technology, Inc. AST1150 PCI-to-PCI Bridge",
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        "lspci -s 0002:01:00.0",
        "0002:01:00.0 Ethernet controller: Intel Corporation 82574L Gigabit Network Connection",
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        "ip addr show dev eth2",
        "inet 10.0.2.15/24",
        None,
    )?;
    Ok(())
}

/// Python's `self.vm.shutdown(); self.vm.set_console(console_index=i);
/// self.vm.launch()`: stops `vm` and starts a QEMU with the same
/// arguments whose console is serial port `index` (its own logs, named
/// `name`).
pub fn relaunch_on_console(
    vm: &mut Machine,
    name: &str,
    index: usize,
) -> Result<Machine, TestError> {
    vm.shutdown()?;
    let mut twin = vm.twin(name);
    twin.set_console_index(index);
    twin.launch()?;
    Ok(twin)
}

/// `skipIfMissingCommands('swtpm')`: swtpm's path; a skip naming Debian's
/// package when it is not on `PATH`.
pub fn require_swtpm() -> Result<PathBuf, crate::harness::Skip> {
    crate::vm::find_command("swtpm")
        .ok_or_else(|| crate::harness::Skip::new("swtpm not found in PATH: install Debian's swtpm"))
}

/// A TPM 2.0 emulator as the TPM test starts it: `swtpm socket -d
/// --tpm2`, its state and control socket in a fresh directory under the
/// system's temporary directory (distributions confine swtpm with
/// AppArmor to such places, not the build tree). Daemonized as upstream,
/// it is stopped through its pid file when dropped.
pub struct Swtpm {
    dir: tempfile::TempDir,
}

impl Swtpm {
    /// Starts swtpm; a skip naming Debian's `swtpm` when it is missing.
    pub fn start(env: &TestEnv) -> Result<Swtpm, TestError> {
        let swtpm = require_swtpm()?;
        let dir = tempfile::Builder::new()
            .prefix("qemu_")
            .tempdir()
            .map_err(|err| TestError::io("creating the swtpm state directory", err))?;
        let swtpm_tpm = Swtpm { dir };
        let args = swtpm_tpm.args();
        env.log(format_args!(
            "running {} {}",
            swtpm.display(),
            args.join(" ")
        ));
        let output = std::process::Command::new(&swtpm)
            .args(&args)
            .output()
            .map_err(|err| TestError::io(format!("running {}", swtpm.display()), err))?;
        if !output.status.success() {
            return Err(TestError::check(format!(
                "swtpm {}: {}: {}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        Ok(swtpm_tpm)
    }

    /// The control socket QEMU's `-chardev socket` connects to.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("swtpm-socket")
    }

    fn pid_file(&self) -> PathBuf {
        self.dir.path().join("swtpm.pid")
    }

    /// Upstream's arguments, and a pid file so the daemon can be stopped.
    fn args(&self) -> Vec<String> {
        vec![
            "socket".into(),
            "-d".into(),
            "--tpm2".into(),
            "--tpmstate".into(),
            format!("dir={}", self.dir.path().display()),
            "--ctrl".into(),
            format!("type=unixio,path={}", self.socket().display()),
            "--pid".into(),
            format!("file={}", self.pid_file().display()),
        ]
    }
}

impl Drop for Swtpm {
    fn drop(&mut self) {
        // swtpm leaves by itself when QEMU shuts the TPM down; a test that
        // failed first must not leave the daemon behind.
        let pid = std::fs::read_to_string(self.pid_file())
            .ok()
            .and_then(|pid| pid.trim().parse::<libc::pid_t>().ok());
        if let Some(pid) = pid.filter(|&pid| pid > 1) {
            // SAFETY: kill has no memory effects; the pid is swtpm's own.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
    }
}

/// This year in local time, as Python's `time.strftime("%Y")`: what an
/// emulated RTC, set from the host clock, reports.
pub fn current_year() -> String {
    // SAFETY: time and localtime_r write only to the locals given.
    let year = unsafe {
        let now = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&now, &mut tm);
        tm.tm_year + 1900
    };
    year.to_string()
}

fn otpmem_pattern() -> Vec<u8> {
    [0u8, 0, 0, 0, 0xff, 0xff, 0xff, 0xff].repeat(16 * 1024 / 8)
}

/// `driver=file,filename=<otp_img>,node-name=otp`.
fn otp_blockdev_arg(otp_img: &Path) -> String {
    format!("driver=file,filename={},node-name=otp", otp_img.display())
}

/// `file=<image>,if=mtd,format=raw<options>`.
fn mtd(image: &Path, options: &str) -> String {
    format!("file={},if=mtd,format=raw{options}", image.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostname_is_the_machine_without_bmc_unless_the_image_says() {
        assert_eq!(OpenBmc::new("romulus-bmc").expected_hostname(), "romulus");
        assert_eq!(
            OpenBmc::new("ast2500-evb").expected_hostname(),
            "ast2500-evb"
        );
        assert_eq!(
            OpenBmc::new("gb200nvl-bmc")
                .hostname("gb200nvl-obmc")
                .expected_hostname(),
            "gb200nvl-obmc"
        );
    }

    #[test]
    fn defaults_are_aspeed_tests() {
        let openbmc = OpenBmc::new("palmetto-bmc").soc("AST2400 rev A1");
        assert_eq!(
            (openbmc.uboot, openbmc.cpu_id, openbmc.soc),
            ("2019.04", "0x0", "AST2400 rev A1")
        );
    }

    #[test]
    fn otpmem_is_16_kib_of_zero_and_ff_words() {
        let image = otpmem_pattern();
        assert_eq!(image.len(), 16 * 1024);
        assert_eq!(&image[..8], b"\0\0\0\0\xff\xff\xff\xff");
        assert_eq!(&image[image.len() - 8..], b"\0\0\0\0\xff\xff\xff\xff");
    }

    #[test]
    fn current_year_is_a_plausible_four_digit_year() {
        let year: u32 = current_year().parse().expect("a number");
        assert!((2025..2200).contains(&year), "year {year}");
    }

    #[test]
    fn otp_blockdev_names_the_image_as_node_otp() {
        assert_eq!(
            otp_blockdev_arg(Path::new("/s/otpmem.img")),
            "driver=file,filename=/s/otpmem.img,node-name=otp"
        );
    }

    #[test]
    fn swtpm_runs_as_upstream_with_its_socket_in_its_state_dir() {
        let swtpm = Swtpm {
            dir: tempfile::Builder::new()
                .prefix("qemu_")
                .tempdir()
                .expect("tempdir"),
        };
        let dir = swtpm.dir.path().display().to_string();
        assert_eq!(swtpm.socket(), swtpm.dir.path().join("swtpm-socket"));
        assert_eq!(
            swtpm.args()[..7],
            [
                "socket".to_owned(),
                "-d".into(),
                "--tpm2".into(),
                "--tpmstate".into(),
                format!("dir={dir}"),
                "--ctrl".into(),
                format!("type=unixio,path={dir}/swtpm-socket"),
            ]
        );
    }

    #[test]
    fn mtd_drive_names_the_image() {
        assert_eq!(
            mtd(Path::new("/x/flash.img"), ",read-only=true"),
            "file=/x/flash.img,if=mtd,format=raw,read-only=true"
        );
    }
}
