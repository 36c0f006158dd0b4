//! The Debian installer's mips64el kernel and initrd, from its netboot
//! package, boot to a busybox shell on malta; the guest sees the CPU, memory
//! and virtio device QEMU gave it, and powers off cleanly.

use qemu_fixtures::prelude::*;

#[asset]
static NETBOOT: Asset = Asset::debian("deb:debian-installer-12-netboot-mips64el");

static INSTALLER: linux::Installer = linux::Installer {
    machine: "malta",
    kernel: "usr/lib/debian-installer/images/12/mips64el/malta/vmlinuz-",
    initrd: "usr/lib/debian-installer/images/12/mips64el/malta/initrd.gz",
    args: &["-cpu", "5KEc", "-m", "512", "-device", "virtio-rng-pci"],
    view: linux::GuestView {
        cpuinfo: "MIPS 5KE",
        memory_mib: 512,
        pci_ids: Some(&["0x1af4:0x1005", "0x1af4:0x1044"]),
    },
};

#[qemu_test]
fn shell_sees_the_machine_it_was_given(vm: Machine) -> TestResult {
    linux::boot_installer(vm, &NETBOOT, &INSTALLER)
}
