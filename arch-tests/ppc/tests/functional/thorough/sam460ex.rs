//! Port of QEMU's tests/functional/ppc/test_sam460ex.py: a buildroot kernel boots on the sam460ex (PPC 460EX), gets a DHCP lease over virtio-net, logs in and powers off.

use qemu_fixtures::prelude::*;

#[asset]
static BR2_SAM460EX_LINUX: Asset = Asset::new(
    "https://github.com/legoater/qemu-ppc-boot/raw/refs/heads/main/buildroot/qemu_ppc_sam460ex-2023.11-8-gdcd9f0f6eb-20240105/vmlinux",
    "6f46346f3e20e8b5fc050ff363f350f8b9d76a051b9e0bd7ea470cc680c14df2",
);

#[qemu_test]
fn ppc_sam460ex_buildroot(mut vm: Machine) -> TestResult {
    vm.set_machine("sam460ex")?;
    vm.require_netdev("user")?;
    let linux_path = vm.env().fetch(&BR2_SAM460EX_LINUX)?;
    vm.set_console();
    vm.arg("-kernel").arg(&linux_path).args([
        "-device",
        "virtio-net-pci,netdev=net0",
        "-netdev",
        "user,id=net0",
    ]);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Linux version")?;
    linux::wait_for_console_pattern(&mut vm, "Hardware name: amcc,canyonlands 460EX")?;
    linux::wait_for_console_pattern(&mut vm, "/init as init process")?;
    linux::wait_for_console_pattern(&mut vm, "lease of 10.0.2.15 obtained")?;
    linux::wait_for_console_pattern(&mut vm, "buildroot login:")?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern("root", "#", None)?;
    console.exec_command_and_wait_for_pattern("poweroff", "System Halted", None)?;
    Ok(())
}
