//! The Debian installer's armhf kernel and initrd, from its netboot
//! package, boot to a busybox shell on virt; the guest sees the CPU and
//! memory QEMU gave it, and powers off cleanly.

use qemu_fixtures::prelude::*;

#[asset]
static NETBOOT: Asset = Asset::debian("deb:debian-installer-12-netboot-armhf");

const IMAGES: &str = "usr/lib/debian-installer/images/12/armhf/text/debian-installer/armhf";

#[qemu_test]
fn shell_sees_the_machine_it_was_given(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    let kernel = vm
        .env()
        .archive_extract(&NETBOOT, &format!("{IMAGES}/vmlinuz"))?;
    let initrd = vm
        .env()
        .archive_extract(&NETBOOT, &format!("{IMAGES}/initrd.gz"))?;
    vm.args(["-cpu", "cortex-a15", "-m", "512", "-nic", "none"]);
    linux::launch_kernel(&mut vm, &kernel, Some(&initrd), "rdinit=/bin/sh")?;
    linux::check_guest_view(
        &mut vm,
        &linux::GuestView {
            // The Cortex-A15's part number.
            cpuinfo: "CPU part\t: 0xc0f",
            memory_mib: 512,
            // This kernel has no PCI host driver built in, and its
            // initrd no modules: it cannot see the device.
            pci_ids: None,
        },
    )
}
