//! The Debian installer's i386 kernel and initrd, from its netboot package,
//! boot to a busybox shell on pc; the guest sees the CPU, memory and virtio
//! device QEMU gave it, and powers off cleanly.

use qemu_fixtures::prelude::*;

#[asset]
static NETBOOT: Asset = Asset::debian("deb:debian-installer-12-netboot-i386");

static INSTALLER: linux::Installer = linux::Installer {
    machine: "pc",
    kernel: "usr/lib/debian-installer/images/12/i386/text/debian-installer/i386/linux",
    initrd: "usr/lib/debian-installer/images/12/i386/text/debian-installer/i386/initrd.gz",
    args: &["-cpu", "Conroe", "-m", "512", "-device", "virtio-rng-pci"],
    view: linux::GuestView {
        cpuinfo: "Conroe/Merom Class Core 2",
        memory_mib: 512,
        pci_ids: Some(&["0x1af4:0x1005", "0x1af4:0x1044"]),
    },
};

#[qemu_test]
fn shell_sees_the_machine_it_was_given(vm: Machine) -> TestResult {
    linux::boot_installer(vm, &NETBOOT, &INSTALLER)
}
