//! Port of QEMU's tests/functional/s390x/test_replay.py: a Fedora kernel on s390-ccw-virtio, recorded and replayed to its command line.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora-secondary/releases/29/Everything/s390x/os/images/kernel.img",
    "dace03b8ae0c9f670ebb9b8d6ce5eb24b62987f346de8f1300a439bb00bb99e7",
);

#[qemu_test]
fn s390_ccw_virtio(mut vm: Machine) -> TestResult {
    vm.set_machine("s390-ccw-virtio")?;
    let kernel_path = vm.env().fetch(&KERNEL)?;
    let kernel_command_line = format!("{}console=sclp0", linux::KERNEL_COMMON_COMMAND_LINE);
    let console_pattern = format!("Kernel command line: {kernel_command_line}");
    vm.run_rr_with(&kernel_path, &kernel_command_line, &console_pattern, 9, &[])
}
