//! Port of QEMU's tests/functional/x86_64/test_virtio_version.py: virtio-version-specific device types build the same device as `disable-modern`/`disable-legacy`.

use qemu_fixtures::prelude::*;

// Virtio Device IDs:
const VIRTIO_NET: u64 = 1;
const VIRTIO_CONSOLE: u64 = 3;
const VIRTIO_RNG: u64 = 4;
const VIRTIO_BALLOON: u64 = 5;
const VIRTIO_SCSI: u64 = 8;
const VIRTIO_GPU: u64 = 16;
const VIRTIO_INPUT: u64 = 18;

const PCI_VENDOR_ID_REDHAT_QUMRANET: u64 = 0x1af4;

/// Device IDs for legacy/transitional devices.
fn pci_legacy_device_id(virtio_devid: u64) -> u64 {
    match virtio_devid {
        VIRTIO_NET => 0x1000,
        VIRTIO_BALLOON => 0x1002,
        VIRTIO_CONSOLE => 0x1003,
        VIRTIO_SCSI => 0x1004,
        VIRTIO_RNG => 0x1005,
        other => panic!("no legacy device ID for virtio device {other}"),
    }
}

fn pci_modern_device_id(virtio_devid: u64) -> u64 {
    virtio_devid + 0x1040
}

/// Which of the PCI interfaces `devtype` implements (`qom-list-types`).
fn get_pci_interfaces(vm: &mut Machine, devtype: &str) -> Result<Vec<String>, TestError> {
    let mut interfaces = Vec::new();
    for interface in ["pci-express-device", "conventional-pci-device"] {
        let types = vm.cmd("qom-list-types", json!({"implements": interface}))?;
        if types
            .as_array()
            .into_iter()
            .flatten()
            .any(|d| d["name"] == devtype)
        {
            interfaces.push(interface.to_owned());
        }
    }
    Ok(interfaces)
}

/// Runs a QEMU of its own with `-device DEVTYPE[,OPTS]`; returns the
/// device's `query-pci` entry and the PCI interfaces of its type.
fn run_device(vm: &Machine, devtype: &str, opts: &str) -> Result<(Value, Vec<String>), TestError> {
    let mut vm = vm.sibling("");
    vm.set_machine("pc")?;
    let device = if opts.is_empty() {
        devtype.to_owned()
    } else {
        format!("{devtype},{opts}")
    };
    vm.args(["-device", &format!("{device},id=devfortest"), "-S"])
        .launch()?;
    let pcibuses = vm.cmd("query-pci", Value::Null)?;
    let mut alldevs = pcibuses
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|bus| bus["devices"].as_array().into_iter().flatten());
    let devfortest = alldevs.find(|dev| dev["qdev_id"] == "devfortest").cloned();
    let devfortest =
        devfortest.ok_or_else(|| TestError::check(format!("query-pci lists no {device}")))?;
    Ok((devfortest, get_pci_interfaces(&mut vm, devtype)?))
}

fn assert_devids(dev: &Value, devid: u64, non_transitional: bool) -> TestResult {
    let id = &dev["id"];
    ensure!(
        id["vendor"] == PCI_VENDOR_ID_REDHAT_QUMRANET,
        "vendor of {dev}"
    );
    ensure!(
        id["device"] == devid,
        "device ID of {dev} should be {devid:#x}"
    );
    if non_transitional {
        let device = id["device"].as_u64().unwrap_or_default();
        ensure!(
            (0x1040..=0x107f).contains(&device),
            "{dev} is no modern device"
        );
        ensure!(
            id["subsystem"].as_u64().unwrap_or_default() >= 0x40,
            "subsystem of {dev}"
        );
    }
    Ok(())
}

fn has(interfaces: &[String], interface: &str) -> bool {
    interfaces.iter().any(|i| i == interface)
}

/// Check if a virtio device type and its variants behave as expected
fn check_all_variants(vm: &Machine, qemu_devtype: &str, virtio_devid: u64) -> TestResult {
    // Force modern mode:
    let (dev_modern, _) = run_device(vm, qemu_devtype, "disable-modern=off,disable-legacy=on")?;
    assert_devids(&dev_modern, pci_modern_device_id(virtio_devid), true)?;

    // <prefix>-non-transitional device types should be 100% equivalent to
    // <prefix>,disable-modern=off,disable-legacy=on
    let (dev_1_0, nt_ifaces) = run_device(vm, &format!("{qemu_devtype}-non-transitional"), "")?;
    ensure!(dev_modern == dev_1_0, "{dev_modern} != {dev_1_0}");

    // Force transitional mode:
    let (dev_trans, _) = run_device(vm, qemu_devtype, "disable-modern=off,disable-legacy=off")?;
    assert_devids(&dev_trans, pci_legacy_device_id(virtio_devid), false)?;

    // Force legacy mode:
    let (dev_legacy, _) = run_device(vm, qemu_devtype, "disable-modern=on,disable-legacy=off")?;
    assert_devids(&dev_legacy, pci_legacy_device_id(virtio_devid), false)?;

    // No options: default to transitional on PC machine-type:
    let (no_opts_pc, generic_ifaces) = run_device(vm, qemu_devtype, "")?;
    ensure!(dev_trans == no_opts_pc, "{dev_trans} != {no_opts_pc}");

    // <prefix>-transitional device types should be 100% equivalent to
    // <prefix>,disable-modern=off,disable-legacy=off (the original compares
    // dev_trans with itself, so checks only that it starts)
    let (_, trans_ifaces) = run_device(vm, &format!("{qemu_devtype}-transitional"), "")?;

    // ensure the interface information is correct:
    ensure!(
        has(&generic_ifaces, "conventional-pci-device"),
        "{qemu_devtype}: {generic_ifaces:?}"
    );
    ensure!(
        has(&generic_ifaces, "pci-express-device"),
        "{qemu_devtype}: {generic_ifaces:?}"
    );
    ensure!(
        has(&nt_ifaces, "conventional-pci-device"),
        "{qemu_devtype}-non-transitional: {nt_ifaces:?}"
    );
    ensure!(
        has(&nt_ifaces, "pci-express-device"),
        "{qemu_devtype}-non-transitional: {nt_ifaces:?}"
    );
    ensure!(
        has(&trans_ifaces, "conventional-pci-device"),
        "{qemu_devtype}-transitional: {trans_ifaces:?}"
    );
    ensure!(
        !has(&trans_ifaces, "pci-express-device"),
        "{qemu_devtype}-transitional: {trans_ifaces:?}"
    );
    Ok(())
}

#[qemu_test]
fn conventional_devs(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    check_all_variants(&vm, "virtio-net-pci", VIRTIO_NET)?;
    // virtio-blk requires 'driver' parameter
    check_all_variants(&vm, "virtio-serial-pci", VIRTIO_CONSOLE)?;
    check_all_variants(&vm, "virtio-rng-pci", VIRTIO_RNG)?;
    check_all_variants(&vm, "virtio-balloon-pci", VIRTIO_BALLOON)?;
    check_all_variants(&vm, "virtio-scsi-pci", VIRTIO_SCSI)?;
    // virtio-9p requires 'fsdev' parameter
    Ok(())
}

/// Check if a modern-only virtio device type behaves as expected
fn check_modern_only(vm: &Machine, qemu_devtype: &str, virtio_devid: u64) -> TestResult {
    // Force modern mode:
    let (dev_modern, _) = run_device(vm, qemu_devtype, "disable-modern=off,disable-legacy=on")?;
    assert_devids(&dev_modern, pci_modern_device_id(virtio_devid), true)?;

    // No options: should be modern anyway
    let (dev_no_opts, ifaces) = run_device(vm, qemu_devtype, "")?;
    ensure!(dev_modern == dev_no_opts, "{dev_modern} != {dev_no_opts}");

    ensure!(
        has(&ifaces, "conventional-pci-device"),
        "{qemu_devtype}: {ifaces:?}"
    );
    ensure!(
        has(&ifaces, "pci-express-device"),
        "{qemu_devtype}: {ifaces:?}"
    );
    Ok(())
}

#[qemu_test]
fn modern_only_devs(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    check_modern_only(&vm, "virtio-vga", VIRTIO_GPU)?;
    check_modern_only(&vm, "virtio-gpu-pci", VIRTIO_GPU)?;
    check_modern_only(&vm, "virtio-mouse-pci", VIRTIO_INPUT)?;
    check_modern_only(&vm, "virtio-tablet-pci", VIRTIO_INPUT)?;
    check_modern_only(&vm, "virtio-keyboard-pci", VIRTIO_INPUT)?;
    Ok(())
}
