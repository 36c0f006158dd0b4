//! The Debian installer's arm64 kernel and initrd, from its netboot package,
//! boot to a busybox shell on virt; the guest sees the CPU (a Cortex-A57's
//! part number), memory and virtio device QEMU gave it, and powers off
//! cleanly.

use qemu_fixtures::prelude::*;

#[asset]
static NETBOOT: Asset = Asset::debian("deb:debian-installer-12-netboot-arm64");

static INSTALLER: linux::Installer = linux::Installer {
    machine: "virt",
    kernel: "usr/lib/debian-installer/images/12/arm64/text/debian-installer/arm64/linux",
    initrd: "usr/lib/debian-installer/images/12/arm64/text/debian-installer/arm64/initrd.gz",
    args: &[
        "-cpu",
        "cortex-a57",
        "-m",
        "512",
        "-device",
        "virtio-rng-pci",
    ],
    view: linux::GuestView {
        cpuinfo: "CPU part\t: 0xd07",
        memory_mib: 512,
        pci_ids: Some(&["0x1af4:0x1005", "0x1af4:0x1044"]),
    },
};

#[qemu_test]
fn shell_sees_the_machine_it_was_given(vm: Machine) -> TestResult {
    linux::boot_installer(vm, &NETBOOT, &INSTALLER)
}
