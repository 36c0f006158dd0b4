//! Aspeed BMC boots, as QEMU's `AspeedTest`: an OpenBMC, buildroot or
//! Aspeed SDK flash image on the machine's MTD, U-Boot's FIT load, the
//! kernel, the login; and the OTP memory image of the AST1030/AST2600.

use std::path::{Path, PathBuf};

use crate::guests::linux::PANIC;
use crate::harness::{Machine, TestEnv, TestError, TestResult};

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
    fn mtd_drive_names_the_image() {
        assert_eq!(
            mtd(Path::new("/x/flash.img"), ",read-only=true"),
            "file=/x/flash.img,if=mtd,format=raw,read-only=true"
        );
    }
}
