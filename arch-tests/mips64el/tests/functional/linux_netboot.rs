//! The Debian installer's mips64el Malta kernel and initrd, from its netboot
//! package, boot to a busybox shell; the guest sees the CPU, memory and
//! virtio device QEMU gave it, and powers off cleanly.

use qemu_fixtures::prelude::*;

#[asset]
static NETBOOT: Asset = Asset::debian("deb:debian-installer-12-netboot-mips64el");

const IMAGES: &str = "usr/lib/debian-installer/images/12/mips64el/malta";

#[qemu_test]
fn shell_sees_the_machine_it_was_given(mut vm: Machine) -> TestResult {
    vm.set_machine("malta")?;
    // The kernel's file name carries its ABI number, which Debian changes.
    let vmlinuz = vm
        .env()
        .archive_find(&NETBOOT, &format!("{IMAGES}/vmlinuz-"))?;
    let kernel = vm.env().archive_extract(&NETBOOT, &vmlinuz)?;
    let initrd = vm
        .env()
        .archive_extract(&NETBOOT, &format!("{IMAGES}/initrd.gz"))?;
    vm.args([
        "-cpu",
        "5KEc",
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
            cpuinfo: "MIPS 5KE",
            memory_mib: 512,
            pci_ids: Some(&["0x1af4:0x1005", "0x1af4:0x1044"]),
        },
    )
}
