//! Port of QEMU's tests/functional/x86_64/test_multiprocess.py: a pc guest under KVM finds the LSI controller a remote QEMU process runs.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL_X86: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Everything/x86_64/os/images/pxeboot/vmlinuz",
    "d4738d03dbbe083ca610d0821d0a8f1488bebbdccef54ce33e3adb35fda00129",
);

#[asset]
static INITRD_X86: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Everything/x86_64/os/images/pxeboot/initrd.img",
    "3b6cb5c91a14c42e2f61520f1689264d865e772a1f0069e660a800d31dd61fb9",
);

#[qemu_test]
fn multiprocess(mut vm: Machine) -> TestResult {
    let kernel_command_line = format!(
        "{}console=ttyS0 rdinit=/bin/bash",
        multiprocess::KERNEL_COMMON_COMMAND_LINE
    );
    multiprocess::do_test(
        &mut vm,
        &KERNEL_X86,
        &INITRD_X86,
        &kernel_command_line,
        "pc",
    )
}
