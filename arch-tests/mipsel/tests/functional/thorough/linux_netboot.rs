//! The Debian installer's mipsel kernel and initrd, from its netboot package,
//! boot to a busybox shell on malta; the guest sees the CPU (Linux names the
//! 34K family after its c model), memory (a 32-bit Malta kernel uses only the
//! first 256 MiB) and virtio device QEMU gave it, and powers off cleanly.

use qemu_fixtures::prelude::*;

#[asset]
static NETBOOT: Asset = Asset::debian("deb:debian-installer-12-netboot-mipsel");

static INSTALLER: linux::Installer = linux::Installer {
    machine: "malta",
    kernel: "usr/lib/debian-installer/images/12/mipsel/malta/vmlinuz-",
    initrd: "usr/lib/debian-installer/images/12/mipsel/malta/initrd.gz",
    args: &["-cpu", "34Kf", "-m", "256", "-device", "virtio-rng-pci"],
    view: linux::GuestView {
        cpuinfo: "MIPS 34Kc",
        memory_mib: 256,
        pci_ids: Some(&["0x1af4:0x1005", "0x1af4:0x1044"]),
    },
};

#[qemu_test]
fn shell_sees_the_machine_it_was_given(vm: Machine) -> TestResult {
    linux::boot_installer(vm, &NETBOOT, &INSTALLER)
}
