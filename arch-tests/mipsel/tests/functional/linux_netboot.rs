//! The Debian installer's mipsel Malta kernel and initrd, from its netboot
//! package, boot to a busybox shell; the guest sees the CPU, memory and
//! virtio device QEMU gave it, and powers off cleanly.

use qemu_fixtures::prelude::*;

#[asset]
static NETBOOT: Asset = Asset::debian("deb:debian-installer-12-netboot-mipsel");

const IMAGES: &str = "usr/lib/debian-installer/images/12/mipsel/malta";

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
        "34Kf",
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
            // Linux names the 34K family after its "c" model.
            cpuinfo: "MIPS 34Kc",
            // A 32-bit Malta kernel uses the board's first 256 MiB only.
            memory_mib: 256,
            pci_ids: Some(&["0x1af4:0x1005", "0x1af4:0x1044"]),
        },
    )
}
