//! Port of QEMU's tests/functional/i386/test_replay.py: a TuxBoot kernel on pc, recorded and replayed until it looks for its root device.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/i386/bzImage",
    "a3e5b32a354729e65910f5a1ffcda7c14a6c12a55e8213fb86e277f1b76ed956",
);

#[qemu_test]
fn pc(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    let kernel_path = vm.env().fetch(&KERNEL)?;
    let kernel_command_line = format!("{}console=ttyS0", linux::KERNEL_COMMON_COMMAND_LINE);
    let console_pattern = "VFS: Cannot open root device";
    vm.run_rr_with(&kernel_path, &kernel_command_line, console_pattern, 5, &[])
}
