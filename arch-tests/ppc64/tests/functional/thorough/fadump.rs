//! Port of QEMU's tests/functional/ppc64/test_fadump.py: firmware-assisted dump on pseries (TCG and KVM): the kernel registers it, a sysrq crash boots the capture kernel, and /proc/vmcore is there.

use qemu_fixtures::prelude::*;
use std::time::Duration;

#[asset]
static EPAPR_KERNEL: Asset = Asset::new(
    "https://github.com/open-power/op-build/releases/download/v2.7/zImage.epapr",
    "0ab237df661727e5392cee97460e8674057a883c5f74381a128fa772588d45cd",
);

#[asset]
static VMLINUZ_KERNEL: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora-secondary/releases/39/Everything/ppc64le/os/ppc/ppc64/vmlinuz",
    "81e5541d243b50c8f9568906c6918dda22239744d637bb9a7b22d23c3d6612268d5302beb2ca5c06f93bdbc9736c414ef5120756c8bf496ff488ad07d116d67f",
);

#[asset]
static FEDORA_INITRD: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora-secondary/releases/39/Everything/ppc64le/os/ppc/ppc64/initrd.img",
    "e7f24b44cb2aaa67d30e551db6ac8d29cc57c934b158dabca6b7f885f2cfdd9b",
);

/// Boots with fadump enabled, checks it registered, crashes the kernel
/// (a QEMU_SYSTEM_RESET), and checks the capture kernel exports
/// /proc/vmcore.
fn do_test_fadump(vm: &mut Machine, is_kvm: bool, is_powernv: bool) -> TestResult {
    if is_kvm {
        vm.require_accelerator("kvm")?;
        vm.args(["-accel", "kvm"]);
    } else {
        vm.require_accelerator("tcg")?;
    }

    if is_powernv {
        vm.set_machine("powernv10")?;
    } else {
        // SLOF takes upto >20s in startup time, use VOF
        vm.set_machine("pseries")?;
        vm.args(["-machine", "x-vof=on", "-m", "6G"]);
    }

    vm.set_console();

    let kernel_path = if is_powernv {
        vm.env().fetch(&EPAPR_KERNEL)?
    } else {
        vm.env().fetch(&VMLINUZ_KERNEL)?
    };
    let initrd_path = vm.env().fetch(&FEDORA_INITRD)?;

    vm.arg("-kernel").arg(&kernel_path);
    vm.arg("-initrd").arg(&initrd_path);
    vm.args([
        "-append",
        "fadump=on -nodefaults -serial mon:stdio crashkernel=2G rdinit=/bin/sh ",
    ]);
    vm.launch()?;

    // "fadump: Reserved 1024MB of memory at ..." when the kernel detects
    // fadump support; a failure message when not; nothing within 20 s when
    // fadump is disabled in the kernel.
    let console = vm.console();
    console.wait_for_regex_console_pattern(
        "fadump: Reserved ",
        Some(
            r"fadump: (Firmware-Assisted Dump is not supported on this hardware|Failed to find memory chunk for reservation!)",
        ),
        Some(Duration::from_secs(20)),
    )?;
    linux::wait_for_console_pattern(vm, "rtas fadump: Registration is successful!")?;
    // Wait for the shell
    linux::wait_for_console_pattern(vm, "#")?;

    let console = vm.console();
    // Mount /proc since not available in the initrd used
    console.exec_command("mount -t proc proc /proc")?;
    // Crash the kernel
    console.exec_command("echo c > /proc/sysrq-trigger")?;
    // The panic should come almost at once after the echo.
    console.wait_for_regex_console_pattern(
        "Kernel panic - not syncing: sysrq triggered crash",
        None,
        Some(Duration::from_secs(20)),
    )?;

    // "fadump: Reserved ..." again would mean a first boot, not a capture
    // kernel: QEMU did not pass the 'ibm,kernel-dump' device tree node.
    console.wait_for_console_pattern(
        "rtas fadump: Firmware-assisted dump is active",
        Some("fadump: Reserved "),
    )?;
    linux::wait_for_console_pattern(vm, "preserving crash data")?;
    // Wait for prompt
    linux::wait_for_console_pattern(vm, "sh-5.2#")?;

    let console = vm.console();
    // Mount /proc since not available in the initrd used
    console.exec_command_and_wait_for_pattern("mount -t proc proc /proc", "#", None)?;
    // Check if vmcore exists
    console.exec_command_and_wait_for_pattern(
        "stat /proc/vmcore",
        "File: /proc/vmcore",
        Some("No such file or directory"),
    )?;
    Ok(())
}

#[qemu_test]
fn fadump_pseries(mut vm: Machine) -> TestResult {
    do_test_fadump(&mut vm, false, false)
}

#[qemu_test]
fn fadump_powernv() -> TestResult {
    skip::always("PowerNV Fadump not supported yet")?;
    Ok(())
}

#[qemu_test]
fn fadump_pseries_kvm(mut vm: Machine) -> TestResult {
    do_test_fadump(&mut vm, true, false)
}
