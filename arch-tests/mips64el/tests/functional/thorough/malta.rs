//! Port of QEMU's tests/functional/mips64el/test_malta.py: Linux on the little-endian 64-bit Malta reaches its command line, a cpio rootfs's shell on a 5KEc, a wheezy image's login, one Tux per I6400 core on the framebuffer, and (imported from mipsel's file) the YAMON ROM's prompt.

use qemu_fixtures::harness::template::{Gray, match_template};
use qemu_fixtures::prelude::*;

#[asset]
static KERNEL_2_63_2: Asset = Asset::new(
    "http://snapshot.debian.org/archive/debian/20130217T032700Z/pool/main/l/linux-2.6/linux-image-2.6.32-5-5kc-malta_2.6.32-48_mipsel.deb",
    "35eb476f03be589824b0310358f1c447d85e645b88cbcd2ac02b97ef560f9f8d",
);

#[qemu_test]
fn mips64el_malta(mut vm: Machine) -> TestResult {
    let kernel_path = vm
        .env()
        .archive_extract(&KERNEL_2_63_2, "boot/vmlinux-2.6.32-5-5kc-malta")?;

    vm.set_machine("malta")?;
    let kernel_command_line = format!("{}console=ttyS0", linux::KERNEL_COMMON_COMMAND_LINE);
    linux::boot_to_command_line(&mut vm, &kernel_path, &kernel_command_line)?;
    Ok(())
}

#[asset]
static KERNEL_3_19_3: Asset = Asset::new(
    "https://github.com/philmd/qemu-testing-blob/raw/9ad2df38/mips/malta/mips64el/vmlinux-3.19.3.mtoman.20150408",
    "8d3beb003bc66051ead98e7172139017fcf9ce2172576541c57e86418dfa5ab8",
);

#[asset]
static CPIO_R1: Asset = Asset::new(
    "https://github.com/groeck/linux-build-test/raw/8584a59e/rootfs/mipsel64/rootfs.mipsel64r1.cpio.gz",
    "75ba10cd35fb44e32948eeb26974f061b703c81c4ba2fab1ebcacf1d1bec3b61",
);

#[qemu_test]
fn mips64el_malta_5kec_cpio(mut vm: Machine) -> TestResult {
    skip::untrusted()?;
    let kernel_path = vm.env().fetch(&KERNEL_3_19_3)?;
    let initrd_path = vm.env().uncompress(&CPIO_R1)?;

    vm.set_machine("malta")?;
    vm.set_console();
    let kernel_command_line = format!(
        "{}console=ttyS0 console=tty rdinit=/sbin/init noreboot",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    vm.args(["-cpu", "5KEc", "-kernel"]).arg(&kernel_path);
    vm.arg("-initrd").arg(&initrd_path);
    vm.args(["-append", &kernel_command_line, "-no-reboot"]);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Boot successful.")?;

    let console = vm.console();
    console.exec_command_and_wait_for_pattern("cat /proc/cpuinfo", "MIPS 5KE", None)?;
    console.exec_command_and_wait_for_pattern("uname -a", "3.19.3.mtoman.20150408", None)?;
    console.exec_command_and_wait_for_pattern("reboot", "reboot: Restarting system", None)?;
    // Wait for VM to shut down gracefully
    vm.wait_exit()?;
    Ok(())
}

#[asset]
static WHEEZY_KERNEL: Asset = Asset::new(
    "https://people.debian.org/~aurel32/qemu/mipsel/vmlinux-3.2.0-4-5kc-malta",
    "5e8b725244c59745bb8b64f5d8f49f25fecfa549f3395fb6d19a3b9e5065b85b",
);

#[asset]
static WHEEZY_DISK: Asset = Asset::new(
    "https://people.debian.org/~aurel32/qemu/mipsel/debian_wheezy_mipsel_standard.qcow2",
    "454f09ae39f7e6461c84727b927100d2c7813841f2a0a5dce328114887ecf914",
);

#[qemu_test]
fn wheezy(mut vm: Machine) -> TestResult {
    skip::flaky("https://gitlab.com/qemu-project/qemu/-/issues/3109")?;
    let wheezy = malta::Wheezy::new(
        "/boot/initrd.img-3.2.0-4-5kc-malta",
        "7579f8b56c1187c7c04d0dc3c0c56c7a6314c5ddd3a9bf8803ecc7cf8a3be9f8",
    )
    .cpuinfo("MIPS 20Kc");
    malta::check_wheezy(&mut vm, &WHEEZY_KERNEL, &WHEEZY_DISK, wheezy)
}

#[asset]
static KERNEL_4_7_0: Asset = Asset::new(
    "https://github.com/philmd/qemu-testing-blob/raw/a5966ca4b5/mips/malta/mips64el/vmlinux-4.7.0-rc1.I6400.gz",
    "1f64efc59968a3c328672e6b10213fe574bb2308d9d2ed44e75e40be59e9fbc2",
);

#[asset]
static TUXLOGO: Asset = Asset::new(
    "https://github.com/torvalds/linux/raw/v2.6.12/drivers/video/logo/logo_linux_vga16.ppm",
    "b762f0d91ec018887ad1b334543c2fdf9be9fdfc87672b409211efaa3ea0ef79",
);

/// Boot Linux kernel and check Tux logo is displayed on the framebuffer.
/// Upstream matches with OpenCV in colour; `harness::template` matches the
/// grey images, with the same method and threshold.
fn do_test_i6400_framebuffer_logo(vm: &mut Machine, cpu_cores_count: usize) -> TestResult {
    let screendump_path = vm.env().scratch_file(["screendump.pbm"]);

    let kernel_path = vm.env().uncompress(&KERNEL_4_7_0)?;

    let tuxlogo_path = vm.env().fetch(&TUXLOGO)?;

    vm.set_machine("malta")?;
    vm.set_console();
    let kernel_command_line = format!(
        "{}clocksource=GIC console=tty0 console=ttyS0",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    vm.arg("-kernel").arg(&kernel_path);
    vm.args(["-cpu", "I6400", "-smp", &cpu_cores_count.to_string()]);
    vm.args(["-vga", "std", "-append", &kernel_command_line]);
    vm.launch()?;
    let framebuffer_ready = "Console: switching to colour frame buffer device";
    linux::wait_for_console_pattern(vm, framebuffer_ready)?;
    vm.cmd("human-monitor-command", json!({"command-line": "stop"}))?;
    let res = vm.cmd(
        "human-monitor-command",
        json!({"command-line": format!("screendump {}", screendump_path.display())}),
    )?;
    if res.as_str().unwrap_or_default().contains("unknown command") {
        return Err(Skip::new("screendump not available").into());
    }

    let match_threshold = 0.95;
    let screendump = Gray::read_ppm(&screendump_path)?;
    let tuxlogo = Gray::read_ppm(&tuxlogo_path)?;
    let found = match_template(&screendump, &tuxlogo, match_threshold);
    for (x, y, _) in &found {
        vm.env()
            .log(format_args!("found Tux at position (x, y) = ({x}, {y})"));
    }
    ensure!(
        found.len() >= cpu_cores_count,
        "found {} Tux logos on the framebuffer, expected at least {cpu_cores_count}",
        found.len()
    );
    Ok(())
}

#[qemu_test]
fn mips_malta_i6400_framebuffer_logo_1core(mut vm: Machine) -> TestResult {
    do_test_i6400_framebuffer_logo(&mut vm, 1)
}

// XXX file tracking bug
#[qemu_test]
fn mips_malta_i6400_framebuffer_logo_7cores(mut vm: Machine) -> TestResult {
    skip::flaky_untracked()?;
    do_test_i6400_framebuffer_logo(&mut vm, 7)
}

#[qemu_test]
fn mips_malta_i6400_framebuffer_logo_8cores(mut vm: Machine) -> TestResult {
    skip::flaky_untracked()?;
    do_test_i6400_framebuffer_logo(&mut vm, 8)
}

// Add the tests from the 32-bit mipsel file here, too.
#[asset]
static YAMON_ROM: Asset = Asset::new(
    "https://s3-eu-west-1.amazonaws.com/downloads-mips/mips-downloads/YAMON/yamon-bin-02.22.zip",
    "eef86f0eed0ef554f041dcd47b87eebea0e6f9f1184ed31f7e9e8b4a803860ab",
);

#[qemu_test]
fn mipsel_malta_yamon(mut vm: Machine) -> TestResult {
    malta::mipsel_malta_yamon(&mut vm, &YAMON_ROM)
}
