//! The Debian installer's amd64 kernel and initrd, from its netboot package,
//! boot to a busybox shell on pc; the guest sees the CPU, memory and virtio
//! device QEMU gave it, and powers off cleanly.

use qemu_fixtures::prelude::*;

#[asset]
static NETBOOT: Asset = Asset::debian("deb:debian-installer-12-netboot-amd64");

static INSTALLER: linux::Installer = linux::Installer {
    machine: "pc",
    kernel: "usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64/linux",
    initrd: "usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64/initrd.gz",
    args: &["-cpu", "Nehalem", "-m", "512", "-device", "virtio-rng-pci"],
    view: linux::GuestView {
        cpuinfo: "Nehalem Class Core i7",
        memory_mib: 512,
        pci_ids: Some(&["0x1af4:0x1005", "0x1af4:0x1044"]),
    },
};

#[qemu_test]
fn shell_sees_the_machine_it_was_given(vm: Machine) -> TestResult {
    linux::boot_installer(vm, &NETBOOT, &INSTALLER)
}
