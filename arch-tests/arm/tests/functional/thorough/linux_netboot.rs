//! The Debian installer's armhf kernel and initrd, from its netboot package,
//! boot to a busybox shell on virt; the guest sees the CPU (a Cortex-A15's
//! part number) and memory (its kernel has no PCI host driver built in, so no
//! device is checked) QEMU gave it, and powers off cleanly.

use qemu_fixtures::prelude::*;

#[asset]
static NETBOOT: Asset = Asset::debian("deb:debian-installer-12-netboot-armhf");

static INSTALLER: linux::Installer = linux::Installer {
    machine: "virt",
    kernel: "usr/lib/debian-installer/images/12/armhf/text/debian-installer/armhf/vmlinuz",
    initrd: "usr/lib/debian-installer/images/12/armhf/text/debian-installer/armhf/initrd.gz",
    args: &["-cpu", "cortex-a15", "-m", "512"],
    view: linux::GuestView {
        cpuinfo: "CPU part\t: 0xc0f",
        memory_mib: 512,
        pci_ids: None,
    },
};

#[qemu_test]
fn shell_sees_the_machine_it_was_given(vm: Machine) -> TestResult {
    linux::boot_installer(vm, &NETBOOT, &INSTALLER)
}
