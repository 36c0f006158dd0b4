//! Port of QEMU's tests/functional/ppc/test_bamboo.py: a buildroot Linux on the bamboo board logs in, pings the host through virtio-net and halts.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://github.com/legoater/qemu-ppc-boot/raw/refs/heads/main/buildroot/qemu_ppc_bamboo-2023.11-8-gdcd9f0f6eb-20240105/vmlinux",
    "a2e12eb45b73491ac62fc0bbeb68dead0dc5c0f22cf83146558389209b420ad1",
);
#[asset]
static INITRD: Asset = Asset::new(
    "https://github.com/legoater/qemu-ppc-boot/raw/refs/heads/main/buildroot/qemu_ppc_bamboo-2023.11-8-gdcd9f0f6eb-20240105/rootfs.cpio",
    "d2a36bdb8763b389765dc8c29d4904cec2bd001c587f92e85ab9eb10d5ddda54",
);

#[qemu_test]
fn ppc_bamboo(mut vm: Machine) -> TestResult {
    vm.set_machine("bamboo")?;
    vm.require_accelerator("tcg")?;
    vm.require_netdev("user")?;
    let kernel = vm.env().fetch(&KERNEL)?;
    let initrd = vm.env().fetch(&INITRD)?;
    vm.set_console();
    vm.arg("-kernel").arg(&kernel).arg("-initrd").arg(&initrd);
    vm.args(["-nic", "user,model=virtio-net-pci,restrict=on"]);
    vm.launch()?;
    let console = vm.console();
    console.wait_for("buildroot login:")?;
    console.exec_command_and_wait_for_pattern("root", "#", None)?;
    console.exec_command_and_wait_for_pattern(
        "ping -c1 10.0.2.2",
        "1 packets transmitted, 1 packets received, 0% packet loss",
        None,
    )?;
    console.exec_command_and_wait_for_pattern("halt", "System Halted", None)?;
    Ok(())
}
