//! 32-bit OpenSBI from Debian's opensbi package on the virt board: its
//! banner names the platform and the ISA it booted on.

use qemu_fixtures::prelude::*;

static FW_DYNAMIC: Installed = Installed::new(
    "/usr/lib/riscv32-linux-gnu/opensbi/generic/fw_dynamic.bin",
    "opensbi",
);

#[qemu_test]
fn banner_names_the_platform(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    let bios = vm.env().installed(&FW_DYNAMIC)?;
    vm.args(["-nic", "none", "-bios"]).arg(&bios).launch()?;
    let console = vm.console();
    console.wait_for("OpenSBI v")?;
    console.wait_for("Platform Name             : riscv-virtio,qemu")?;
    console.wait_for("Boot HART Base ISA        : rv32")?;
    Ok(())
}
