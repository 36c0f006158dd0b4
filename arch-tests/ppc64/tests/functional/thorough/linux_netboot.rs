//! The Debian installer's ppc64el kernel and initrd, from its netboot
//! package, boot to a busybox shell on pseries (with the caps TCG
//! implements); the guest sees the CPU, memory and virtio device QEMU gave
//! it, and powers off cleanly.

use qemu_fixtures::prelude::*;

#[asset]
static NETBOOT: Asset = Asset::debian("deb:debian-installer-12-netboot-ppc64el");

static INSTALLER: linux::Installer = linux::Installer {
    machine: "pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off",
    kernel: "usr/lib/debian-installer/images/12/ppc64el/text/debian-installer/ppc64el/vmlinux",
    initrd: "usr/lib/debian-installer/images/12/ppc64el/text/debian-installer/ppc64el/initrd.gz",
    args: &["-cpu", "POWER9", "-m", "512", "-device", "virtio-rng-pci"],
    view: linux::GuestView {
        cpuinfo: "POWER9",
        memory_mib: 512,
        pci_ids: Some(&["0x1af4:0x1005", "0x1af4:0x1044"]),
    },
};

#[qemu_test]
fn shell_sees_the_machine_it_was_given(vm: Machine) -> TestResult {
    linux::boot_installer(vm, &NETBOOT, &INSTALLER)
}
