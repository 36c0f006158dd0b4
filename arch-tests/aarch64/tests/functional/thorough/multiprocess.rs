//! Port of QEMU's tests/functional/aarch64/test_multiprocess.py: a virt guest under KVM finds the LSI controller a remote QEMU process runs.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL_AARCH64: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Everything/aarch64/os/images/pxeboot/vmlinuz",
    "3ae07fcafbfc8e4abeb693035a74fe10698faae15e9ccd48882a9167800c1527",
);

#[asset]
static INITRD_AARCH64: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Everything/aarch64/os/images/pxeboot/initrd.img",
    "9fd230cab10b1dafea41cf00150e6669d37051fad133bd618d2130284e16d526",
);

#[qemu_test]
fn multiprocess(mut vm: Machine) -> TestResult {
    let kernel_command_line = format!(
        "{}rdinit=/bin/bash console=ttyAMA0",
        multiprocess::KERNEL_COMMON_COMMAND_LINE
    );
    multiprocess::do_test(
        &mut vm,
        &KERNEL_AARCH64,
        &INITRD_AARCH64,
        &kernel_command_line,
        "virt,gic-version=3",
    )
}
