//! OpenSBI from Debian's opensbi package on the virt board: its banner
//! names the platform, and it hands over to the next stage in S-mode.

use qemu_fixtures::prelude::*;

pub static FW_JUMP: Installed = Installed::new(
    "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin",
    "opensbi",
);

#[qemu_test]
fn banner_names_the_platform(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    let bios = vm.env().installed(&FW_JUMP)?;
    vm.args(["-nic", "none", "-bios"]).arg(&bios).launch()?;
    let console = vm.console();
    console.wait_for("OpenSBI v")?;
    console.wait_for("Platform Name             : riscv-virtio,qemu")?;
    console.wait_for("Domain0 Next Mode         : S-mode")?;
    Ok(())
}
