//! Port of QEMU's tests/functional/aarch64/test_hotplug_pci.py: a virtio-net-pci hotplugged into a root port of virt appears in and leaves a Debian installer guest.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://ftp.debian.org/debian/dists/bookworm/main/installer-arm64/20230607+deb12u11/images/netboot/debian-installer/arm64/linux",
    "d92a60392ce1e379ca198a1a820899f8f0d39a62d047c41ab79492f81541a9d9",
);

#[asset]
static INITRD: Asset = Asset::new(
    "https://ftp.debian.org/debian/dists/bookworm/main/installer-arm64/20230607+deb12u11/images/netboot/debian-installer/arm64/initrd.gz",
    "9f817f76951f3237bca8216bee35267bfb826815687f4b2fcdd5e6c2a917790c",
);

#[qemu_test]
fn hotplug_pci(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    let bios = vm.env().build_file(["pc-bios", "edk2-aarch64-code.fd"])?;
    vm.args(["-m", "512M", "-cpu", "cortex-a57"]);
    vm.args(["-append", "console=ttyAMA0,115200 init=/bin/sh"]);
    vm.args([
        "-device",
        "pcie-root-port,bus=pcie.0,chassis=1,slot=1,id=pcie.1",
    ]);
    vm.arg("-bios").arg(&bios);
    // BusyBox prompt
    let prompt = "~ #";
    let kernel = vm.env().fetch(&KERNEL)?;
    let initrd = vm.env().fetch(&INITRD)?;
    vm.launch_kernel(&kernel, Some(&initrd), None, 0, Some(prompt))?;
    // Check for initial state: 2 network adapters, lo and enp0s1.
    vm.console()
        .exec_command_and_wait_for_pattern("ls /sys/class/net | wc -l", "2", None)?;
    // Hotplug one network adapter to the root port, i.e. pcie.1 bus.
    vm.cmd(
        "device_add",
        json!({"driver": "virtio-net-pci", "bus": "pcie.1", "addr": 0, "id": "na"}),
    )?;
    // Wait for the kernel to recognize the new device.
    linux::wait_for_console_pattern(&mut vm, "virtio-pci")?;
    linux::wait_for_console_pattern(&mut vm, "virtio_net")?;
    // Check if there is a new network adapter.
    vm.console()
        .exec_command_and_wait_for_pattern("ls /sys/class/net | wc -l", "3", None)?;
    vm.cmd("device_del", json!({"id": "na"}))?;
    vm.console()
        .exec_command_and_wait_for_pattern("ls /sys/class/net | wc -l", "2", None)?;
    Ok(())
}
