//! Port of QEMU's tests/functional/sh4eb/test_r2d.py: mkroot's big-endian kernel and initramfs boot on the r2d to a shell that exits with a restart.

use qemu_fixtures::prelude::*;

#[asset]
static TGZ: Asset = Asset::new(
    "https://landley.net/bin/mkroot/0.8.11/sh4eb.tgz",
    "be8c6cb5aef8406899dc5aa5e22b6aa45840eb886cdd3ced51555c10577ada2c",
);

#[qemu_test]
fn sh4eb_r2d(mut vm: Machine) -> TestResult {
    vm.set_machine("r2d")?;
    let kernel = vm.env().archive_extract(&TGZ, "sh4eb/linux-kernel")?;
    let initrd = vm.env().archive_extract(&TGZ, "sh4eb/initramfs.cpio.gz")?;
    vm.args(["-append", "console=ttySC1 noiotrap"]);
    vm.launch_kernel(&kernel, Some(&initrd), None, 1, Some("Type exit when done"))?;
    vm.console()
        .exec_command_and_wait_for_pattern("exit", "Restarting system", None)?;
    Ok(())
}
