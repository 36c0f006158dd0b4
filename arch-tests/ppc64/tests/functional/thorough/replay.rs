//! Port of QEMU's tests/functional/ppc64/test_replay.py: the advent calendar on ppce500 and a Fedora kernel on pseries and powernv, recorded and replayed.

use qemu_fixtures::prelude::*;

#[asset]
static DAY19: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day19.tar.xz",
    "20b1bb5a8488c664defbb5d283addc91a05335a936c63b3f5ff7eee74b725755",
);

#[qemu_test]
fn ppc64_e500(mut vm: Machine) -> TestResult {
    skip::flaky("https://gitlab.com/qemu-project/qemu/-/issues/2523")?;
    vm.set_machine("ppce500")?;
    vm.args(["-cpu", "e5500"]);
    let kernel_path = vm.env().archive_extract(&DAY19, "day19/uImage")?;
    vm.run_rr(
        &kernel_path,
        replay::REPLAY_KERNEL_COMMAND_LINE,
        "QEMU advent calendar",
    )
}

#[asset]
static KERNEL: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora-secondary/releases/29/Everything/ppc64le/os/ppc/ppc64/vmlinuz",
    "383c2f5c23bc0d9d32680c3924d3fd7ee25cc5ef97091ac1aa5e1d853422fc5f",
);

#[qemu_test]
fn ppc64_pseries(mut vm: Machine) -> TestResult {
    vm.set_machine("pseries")?;
    let kernel_path = vm.env().fetch(&KERNEL)?;
    let kernel_command_line = format!("{}console=hvc0", linux::KERNEL_COMMON_COMMAND_LINE);
    let console_pattern = "VFS: Cannot open root device";
    vm.run_rr(&kernel_path, &kernel_command_line, console_pattern)
}

#[qemu_test]
fn ppc64_powernv(mut vm: Machine) -> TestResult {
    vm.set_machine("powernv")?;
    let kernel_path = vm.env().fetch(&KERNEL)?;
    let kernel_command_line = format!(
        "{}console=tty0 console=hvc0",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    let console_pattern = "VFS: Cannot open root device";
    vm.run_rr(&kernel_path, &kernel_command_line, console_pattern)
}
