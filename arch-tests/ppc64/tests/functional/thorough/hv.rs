//! Port of QEMU's tests/functional/ppc64/test_hv.py: the hypervisor features of pseries (nested-HV) and powernv (the Power hypervisor ISA): Alpine boots, installs QEMU and runs itself under KVM inside the guest.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

use qemu_fixtures::prelude::*;

#[asset]
static ISO: Asset = Asset::new(
    "https://dl-cdn.alpinelinux.org/alpine/v3.21/releases/ppc64le/alpine-standard-3.21.0-ppc64le.iso",
    "7651ab4e3027604535c0b36e86c901b4695bf8fe97b908f5b48590f6baae8f30",
);

/// What upstream's `setUp` leaves: the ISO and its kernel and initramfs.
struct Alpine {
    iso_path: PathBuf,
    vmlinuz: PathBuf,
    initramfs: PathBuf,
}

/// The class decorators (`skipIfMissingCommands("xorriso")`,
/// `skipBigDataTest`), then `setUp`.
fn set_up(vm: &Machine) -> Result<Alpine, TestError> {
    skip::require_commands(&["xorriso"])
        .map_err(|skip| Skip::new(format!("{}: install Debian's xorriso", skip.reason())))?;
    skip::big_data()?;
    let iso_path = vm.env().fetch(&ISO)?;
    let vmlinuz = extract_from_iso(vm.env(), &iso_path, "/boot/vmlinuz-lts")?;
    let initramfs = extract_from_iso(vm.env(), &iso_path, "/boot/initramfs-lts")?;
    Ok(Alpine {
        iso_path,
        vmlinuz,
        initramfs,
    })
}

/// Upstream's `extract_from_iso`: the file at `path` of the ISO, copied
/// into scratch by xorriso, mode 0600.
fn extract_from_iso(env: &TestEnv, iso: &Path, path: &str) -> Result<PathBuf, TestError> {
    let filename = env.scratch_file([path.rsplit('/').next().unwrap_or(path)]);
    // xorriso resolves a relative -cpx target from `/`, not the working
    // directory, and QEMU_BUILD_ROOT may be relative.
    let filename = std::path::absolute(&filename)
        .map_err(|err| TestError::io(format!("resolving {}", filename.display()), err))?;
    let cmd = format!(
        "xorriso -osirrox on -indev {} -cpx {path} {}",
        iso.display(),
        filename.display()
    );
    let status = Command::new("xorriso")
        .args(["-osirrox", "on", "-indev"])
        .arg(iso)
        .args(["-cpx", path])
        .arg(&filename)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|err| TestError::io(format!("running {cmd}"), err))?;
    ensure!(status.success(), "{cmd}: {status}");
    std::fs::set_permissions(&filename, std::fs::Permissions::from_mode(0o600))
        .map_err(|err| TestError::io(format!("chmod {}", filename.display()), err))?;
    Ok(filename)
}

fn do_start_alpine(vm: &mut Machine, alpine: &Alpine) -> TestResult {
    vm.set_console();
    vm.arg("-kernel").arg(&alpine.vmlinuz);
    vm.arg("-initrd").arg(&alpine.initramfs);
    vm.args(["-smp", "4", "-m", "2g"]);
    vm.args([
        "-drive",
        &format!(
            "file={},format=raw,if=none,id=drive0,read-only=true",
            alpine.iso_path.display()
        ),
    ]);

    vm.launch()?;
    let console = vm.console();
    let ps1 = "localhost:~#";
    console.wait_for_console_pattern("localhost login:", None)?;
    console.exec_command_and_wait_for_pattern("root", ps1, None)?;
    // If the time is wrong, SSL certificates can fail.
    let cmd = format!("date -s \"{}\"", utc_now());
    console.exec_command_and_wait_for_pattern(&cmd, ps1, None)?;
    let ps1 = "alpine:~#";
    console.exec_command_and_wait_for_pattern("setup-alpine -qe", ps1, None)?;
    console.exec_command_and_wait_for_pattern("setup-apkrepos -c1", ps1, None)?;
    console.exec_command_and_wait_for_pattern("apk update", ps1, None)?;
    // Could upgrade here but it usually should not be necessary
    // exec_command_and_wait_for_pattern(self, 'apk upgrade --available', ps1)
    Ok(())
}

/// Python's `datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S')`.
fn utc_now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now())
        .to_string()
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_owned()
}

fn do_stop_alpine(vm: &mut Machine) -> TestResult {
    let console = vm.console();
    console.exec_command("echo \"TEST ME\"")?;
    console.wait_for_console_pattern("alpine:~#", None)?;
    console.exec_command("poweroff")?;
    console.wait_for_console_pattern("reboot: Power down", None)?;
    vm.wait_exit()?;
    Ok(())
}

fn do_setup_kvm(vm: &mut Machine) -> TestResult {
    let console = vm.console();
    let ps1 = "alpine:~#";
    console.exec_command_and_wait_for_pattern("apk add qemu-system-ppc64", ps1, None)?;
    console.exec_command_and_wait_for_pattern("modprobe kvm-hv", ps1, None)?;
    Ok(())
}

/// This uses the host's block device as the source file for guest block
/// device for install media. This is a bit hacky but allows reuse of the
/// iso without having a passthrough filesystem configured.
fn do_test_kvm(vm: &mut Machine, hpt: bool) -> TestResult {
    let append = if hpt { "disable_radix" } else { "" };
    let console = vm.console();
    console.exec_command(&format!(
        "qemu-system-ppc64 -nographic -smp 2 -m 1g \
         -machine pseries,x-vof=on,accel=kvm \
         -machine cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off \
         -drive file=/dev/nvme0n1,format=raw,readonly=on \
         -initrd /media/nvme0n1/boot/initramfs-lts \
         -kernel /media/nvme0n1/boot/vmlinuz-lts \
         -append 'usbcore.nousb {append}'"
    ))?;
    // Alpine 3.21 kernel seems to crash in XHCI USB driver.
    let ps1 = "localhost:~#";
    console.wait_for_console_pattern("localhost login:", None)?;
    console.exec_command_and_wait_for_pattern("root", ps1, None)?;
    console.exec_command("poweroff")?;
    console.wait_for_console_pattern("reboot: Power down", None)?;
    // Now wait for the host's prompt to come back
    console.wait_for_console_pattern("alpine:~#", None)?;
    Ok(())
}

#[qemu_test]
fn hv_pseries(mut vm: Machine) -> TestResult {
    let alpine = set_up(&vm)?;
    vm.require_accelerator("tcg")?;
    vm.require_netdev("user")?;
    vm.set_machine("pseries")?;
    vm.args(["-accel", "tcg,thread=multi"]);
    vm.args(["-device", "nvme,serial=1234,drive=drive0"]);
    vm.args(["-machine", "x-vof=on,cap-nested-hv=on"]);
    do_start_alpine(&mut vm, &alpine)?;
    do_setup_kvm(&mut vm)?;
    do_test_kvm(&mut vm, false)?;
    do_stop_alpine(&mut vm)
}

#[qemu_test]
fn hv_pseries_kvm(mut vm: Machine) -> TestResult {
    let alpine = set_up(&vm)?;
    vm.require_accelerator("kvm")?;
    vm.require_netdev("user")?;
    vm.set_machine("pseries")?;
    vm.args(["-accel", "kvm"]);
    vm.args(["-device", "nvme,serial=1234,drive=drive0"]);
    vm.args(["-machine", "x-vof=on,cap-nested-hv=on,cap-ccf-assist=off"]);
    do_start_alpine(&mut vm, &alpine)?;
    do_setup_kvm(&mut vm)?;
    do_test_kvm(&mut vm, false)?;
    do_stop_alpine(&mut vm)
}

#[qemu_test]
fn hv_powernv(mut vm: Machine) -> TestResult {
    let alpine = set_up(&vm)?;
    vm.require_accelerator("tcg")?;
    vm.require_netdev("user")?;
    vm.set_machine("powernv")?;
    vm.args(["-accel", "tcg,thread=multi"]);
    vm.args([
        "-device",
        "nvme,bus=pcie.2,addr=0x0,serial=1234,drive=drive0",
        "-device",
        "e1000e,netdev=net0,mac=C0:FF:EE:00:00:02,bus=pcie.0,addr=0x0",
        "-netdev",
        "user,id=net0,hostfwd=::20022-:22,hostname=alpine",
    ]);
    do_start_alpine(&mut vm, &alpine)?;
    do_setup_kvm(&mut vm)?;
    do_test_kvm(&mut vm, false)?;
    do_test_kvm(&mut vm, true)?;
    do_stop_alpine(&mut vm)
}
