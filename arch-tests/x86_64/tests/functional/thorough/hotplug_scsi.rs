//! Port of QEMU's tests/functional/x86_64/test_hotplug_scsi.py (read from patchew-project/qemu's copy: qemu/qemu's is not in the index): a SCSI disk hot-plugged on a hot-plugged virtio-scsi controller under KVM appears as /sys/block/sda in a Fedora rescue shell, and disappears once unplugged.

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

fn assert_sda(vm: &mut Machine) -> TestResult {
    let command = "while ! test -e /sys/block/sda ; do sleep 0.2 ; done";
    vm.console()
        .exec_command_and_wait_for_pattern(command, "# ", None)?;
    Ok(())
}

fn assert_no_sda(vm: &mut Machine) -> TestResult {
    let command = "while test -e /sys/block/sda ; do sleep 0.2 ; done";
    vm.console()
        .exec_command_and_wait_for_pattern(command, "# ", None)?;
    Ok(())
}

fn plug(vm: &mut Machine) -> TestResult {
    assert_no_sda(vm)?;
    vm.cmd(
        "device_add",
        json!({"driver": "scsi-hd", "drive": "disk0", "bus": "scsi0.0", "id": "scsi-disk0"}),
    )?;
    linux::wait_for_console_pattern(vm, "[sda] Attached SCSI disk")?;
    assert_sda(vm)
}

fn unplug(vm: &mut Machine) -> TestResult {
    vm.cmd("device_del", json!({"id": "scsi-disk0"}))?;
    vm.event_wait_timeout(
        "DEVICE_DELETED",
        json!({"data": {"device": "scsi-disk0"}}),
        Duration::from_secs(1),
    )?;
    assert_no_sda(vm)
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
        json!({"driver": "null-co", "size": 1073741824, "node-name": "disk0"}),
    )?;
    vm.cmd(
        "device_add",
        json!({"driver": "virtio-scsi-pci", "id": "scsi0", "bus": "pci.1", "addr": "1"}),
    )?;
    plug(&mut vm)?;
    unplug(&mut vm)
}
