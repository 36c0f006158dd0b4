//! The Debian installer's i386 kernel and initrd, from its netboot
//! package, boot to a busybox shell on pc; the guest sees the CPU, memory
//! and virtio device QEMU gave it, and powers off cleanly.

use qemu_fixtures::prelude::*;

#[asset]
static NETBOOT: Asset = Asset::debian("deb:debian-installer-12-netboot-i386");

const IMAGES: &str = "usr/lib/debian-installer/images/12/i386/text/debian-installer/i386";

#[qemu_test]
fn shell_sees_the_machine_it_was_given(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    let kernel = vm
        .env()
        .archive_extract(&NETBOOT, &format!("{IMAGES}/linux"))?;
    let initrd = vm
        .env()
        .archive_extract(&NETBOOT, &format!("{IMAGES}/initrd.gz"))?;
    vm.args([
        "-cpu",
        "Conroe",
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
            cpuinfo: "Conroe/Merom Class Core 2",
            memory_mib: 512,
            pci_ids: Some(&["0x1af4:0x1005", "0x1af4:0x1044"]),
        },
    )
}
