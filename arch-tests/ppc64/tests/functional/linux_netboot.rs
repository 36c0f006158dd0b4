//! The Debian installer's ppc64el kernel and initrd, from its netboot
//! package, boot to a busybox shell on pseries; the guest sees the CPU,
//! memory and virtio device QEMU gave it, and powers off cleanly.

use qemu_fixtures::prelude::*;

#[asset]
static NETBOOT: Asset = Asset::debian("deb:debian-installer-12-netboot-ppc64el");

const IMAGES: &str = "usr/lib/debian-installer/images/12/ppc64el/text/debian-installer/ppc64el";

#[qemu_test]
fn shell_sees_the_machine_it_was_given(mut vm: Machine) -> TestResult {
    vm.set_machine("pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off")?;
    let kernel = vm
        .env()
        .archive_extract(&NETBOOT, &format!("{IMAGES}/vmlinux"))?;
    let initrd = vm
        .env()
        .archive_extract(&NETBOOT, &format!("{IMAGES}/initrd.gz"))?;
    vm.args([
        "-cpu",
        "POWER9",
        "-m",
        "512",
        "-nic",
        "none",
        "-device",
        "virtio-rng-pci",
    ]);
    linux::launch_kernel(&mut vm, &kernel, Some(&initrd), "rdinit=/bin/sh")?;
    linux::check_guest_view(
        &mut vm,
        &linux::GuestView {
            cpuinfo: "POWER9",
            memory_mib: 512,
            pci_ids: Some(&["0x1af4:0x1005", "0x1af4:0x1044"]),
        },
    )
}
