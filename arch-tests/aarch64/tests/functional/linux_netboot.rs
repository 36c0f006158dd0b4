//! The Debian installer's arm64 kernel and initrd, from its netboot
//! package, boot to a busybox shell on virt; the guest sees the CPU,
//! memory and virtio device QEMU gave it, and powers off cleanly.

use qemu_fixtures::prelude::*;

#[asset]
static NETBOOT: Asset = Asset::debian("deb:debian-installer-12-netboot-arm64");

const IMAGES: &str = "usr/lib/debian-installer/images/12/arm64/text/debian-installer/arm64";

#[qemu_test]
fn shell_sees_the_machine_it_was_given(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    let kernel = vm
        .env()
        .archive_extract(&NETBOOT, &format!("{IMAGES}/linux"))?;
    let initrd = vm
        .env()
        .archive_extract(&NETBOOT, &format!("{IMAGES}/initrd.gz"))?;
    vm.args([
        "-cpu",
        "cortex-a57",
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
            // The Cortex-A57's part number.
            cpuinfo: "CPU part\t: 0xd07",
            memory_mib: 512,
            pci_ids: Some(&["0x1af4:0x1005", "0x1af4:0x1044"]),
        },
    )
}
