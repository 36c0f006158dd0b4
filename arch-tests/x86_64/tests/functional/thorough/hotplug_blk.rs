//! Port of QEMU's tests/functional/x86_64/test_hotplug_blk.py: a virtio-blk disk hot-plugged under KVM appears as /sys/block/vda in a Fedora rescue shell, and disappears once unplugged.

use std::time::Duration;

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Server/x86_64/os/images/pxeboot/vmlinuz",
    "d4738d03dbbe083ca610d0821d0a8f1488bebbdccef54ce33e3adb35fda00129",
);

#[asset]
static INITRD: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Server/x86_64/os/images/pxeboot/initrd.img",
    "277cd6c7adf77c7e63d73bbb2cded8ef9e2d3a2f100000e92ff1f8396513cd8b",
);

fn assert_vda(vm: &mut Machine) -> TestResult {
    let command = "while ! test -e /sys/block/vda ; do sleep 0.2 ; done";
    vm.console()
        .exec_command_and_wait_for_pattern(command, "# ", None)?;
    Ok(())
}

fn assert_no_vda(vm: &mut Machine) -> TestResult {
    let command = "while test -e /sys/block/vda ; do sleep 0.2 ; done";
    vm.console()
        .exec_command_and_wait_for_pattern(command, "# ", None)?;
    Ok(())
}

fn plug(vm: &mut Machine) -> TestResult {
    assert_no_vda(vm)?;
    vm.cmd(
        "device_add",
        json!({"driver": "virtio-blk-pci", "drive": "disk", "id": "virtio-disk0",
               "bus": "pci.1", "addr": "1"}),
    )?;
    linux::wait_for_console_pattern(vm, "virtio_blk virtio0: [vda]")?;
    assert_vda(vm)
}

fn unplug(vm: &mut Machine) -> TestResult {
    vm.cmd("device_del", json!({"id": "virtio-disk0"}))?;
    vm.event_wait_timeout(
        "DEVICE_DELETED",
        json!({"data": {"device": "virtio-disk0"}}),
        Duration::from_secs(1),
    )?;
    assert_no_vda(vm)
}

#[qemu_test]
fn test(mut vm: Machine) -> TestResult {
    vm.require_accelerator("kvm")?;
    vm.set_machine("q35")?;
    vm.args(["-accel", "kvm"]);
    vm.args(["-device", "pcie-pci-bridge,id=pci.1,bus=pcie.0"]);
    vm.args(["-m", "1G"]);
    vm.args(["-append", "console=ttyS0 rd.rescue"]);
    let kernel = vm.env().fetch(&KERNEL)?;
    let initrd = vm.env().fetch(&INITRD)?;
    vm.launch_kernel(
        &kernel,
        Some(&initrd),
        None,
        0,
        Some("Entering emergency mode."),
    )?;
    linux::wait_for_console_pattern(&mut vm, "# ")?;
    vm.cmd(
        "blockdev-add",
        json!({"driver": "null-co", "size": 1073741824, "node-name": "disk"}),
    )?;
    plug(&mut vm)?;
    unplug(&mut vm)
}
