//! Port of QEMU's tests/functional/x86_64/test_intel_iommu.py: a Fedora guest under KVM behind an intel-iommu (strict, caching mode, passthrough) sees the IOMMU, reads its virtio disk intact and serves a file over virtio-net.

use std::path::PathBuf;

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Server/x86_64/os/images/pxeboot/vmlinuz",
    "d4738d03dbbe083ca610d0821d0a8f1488bebbdccef54ce33e3adb35fda00129",
);
#[asset]
static INITRD: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Server/x86_64/os/images/pxeboot/initrd.img",
    "277cd6c7adf77c7e63d73bbb2cded8ef9e2d3a2f100000e92ff1f8396513cd8b",
);
#[asset]
static DISKIMAGE: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Cloud/x86_64/images/Fedora-Cloud-Base-31-1.9.x86_64.qcow2",
    "e3c1b309d9203604922d6e255c2c5d098a309c2d46215d8fc026954f3c5c27a0",
);

const DEFAULT_KERNEL_PARAMS: &str = "root=/dev/vda1 console=ttyS0 net.ifnames=0 quiet rd.rescue ";
const GUEST_PORT: u16 = 8080;
const IOMMU_ADDON: &str = ",iommu_platform=on,disable-modern=off,disable-legacy=on";

/// Upstream's `common_vm_setup` and `add_common_args`; the kernel and
/// initrd, which `run_and_check` adds.
fn common_vm_setup(vm: &mut Machine) -> Result<(PathBuf, PathBuf), TestError> {
    vm.set_machine("q35")?;
    vm.require_accelerator("kvm")?;
    vm.require_netdev("user")?;
    let kernel = vm.env().fetch(&KERNEL)?;
    let initrd = vm.env().fetch(&INITRD)?;
    let image = vm.env().fetch(&DISKIMAGE)?;
    vm.args([
        "-drive",
        &format!("file={},if=none,id=drv0,snapshot=on", image.display()),
    ]);
    vm.args([
        "-device",
        &format!("virtio-blk-pci,bus=pcie.0,drive=drv0,id=virtio-disk0,bootindex=1,werror=stop,rerror=stop{IOMMU_ADDON}"),
    ]);
    vm.args(["-device", &format!("virtio-gpu-pci{IOMMU_ADDON}")]);
    vm.args([
        "-netdev",
        &format!("user,id=n1,hostfwd=tcp:127.0.0.1:0-:{GUEST_PORT}"),
    ]);
    vm.args(["-device", &format!("virtio-net-pci,netdev=n1{IOMMU_ADDON}")]);
    vm.args(["-device", "virtio-rng-pci,rng=rng0"]);
    vm.args(["-object", "rng-random,id=rng0,filename=/dev/urandom"]);
    vm.args(["-m", "1G"]);
    vm.args(["-accel", "kvm"]);
    Ok((kernel, initrd))
}

fn run_and_check(
    vm: &mut Machine,
    (kernel, initrd): (PathBuf, PathBuf),
    kernel_params: &str,
) -> TestResult {
    vm.arg("-kernel").arg(&kernel);
    vm.args([
        "-append",
        &format!("{DEFAULT_KERNEL_PARAMS}{kernel_params}"),
    ]);
    vm.arg("-initrd").arg(&initrd);
    vm.set_console();
    vm.launch()?;
    linux::wait_for_console_pattern(vm, "Entering emergency mode.")?;
    let prompt = "# ";
    linux::wait_for_console_pattern(vm, prompt)?;

    // Copy a file (checked later), umount afterwards to drop disk cache:
    let filename = "/boot/initramfs-5.3.7-301.fc31.x86_64.img";
    let console = vm.console();
    console.exec_command_and_wait_for_pattern("mount /dev/vda1 /sysroot", prompt, None)?;
    console.exec_command_and_wait_for_pattern(
        &format!("cp /sysroot{filename} /sysroot/root/data"),
        prompt,
        None,
    )?;
    console.exec_command_and_wait_for_pattern("umount /sysroot", prompt, None)?;

    // Switch from initrd to the cloud image filesystem:
    console.exec_command_and_wait_for_pattern("mount /dev/vda1 /sysroot", prompt, None)?;
    console.exec_command_and_wait_for_pattern(
        "for d in dev proc sys run ; do mount -o bind /$d /sysroot/$d ; done",
        prompt,
        None,
    )?;
    console.exec_command_and_wait_for_pattern("chroot /sysroot", prompt, None)?;

    // Checking for IOMMU enablement:
    vm.env().log("Checking whether IOMMU has been enabled...");
    vm.console()
        .exec_command_and_wait_for_pattern("cat /proc/cmdline", "intel_iommu=on", None)?;
    linux::wait_for_console_pattern(vm, prompt)?;
    vm.console()
        .exec_command_and_wait_for_pattern("dmesg | grep DMAR:", "IOMMU enabled", None)?;
    linux::wait_for_console_pattern(vm, prompt)?;
    vm.console().exec_command_and_wait_for_pattern(
        "find /sys/kernel/iommu_groups/ -type l",
        "devices/0000:00:",
        None,
    )?;
    linux::wait_for_console_pattern(vm, prompt)?;

    // Check hard disk device via sha256sum:
    vm.env().log("Checking hard disk...");
    let hashsum = "0dc7472f879be70b2f3daae279e3ae47175ffe249691e7d97f47222b65b8a720";
    vm.console().exec_command_and_wait_for_pattern(
        &format!("sha256sum {filename}"),
        hashsum,
        None,
    )?;
    linux::wait_for_console_pattern(vm, prompt)?;
    vm.console()
        .exec_command_and_wait_for_pattern("sha256sum /root/data", hashsum, None)?;
    linux::wait_for_console_pattern(vm, prompt)?;

    // Check virtio-net via HTTP:
    vm.console()
        .exec_command_and_wait_for_pattern("dhclient eth0", prompt, None)?;
    linux::check_http_download_with(vm, filename, hashsum, GUEST_PORT, "python3 -m http.server")
}

#[qemu_test]
fn intel_iommu(mut vm: Machine) -> TestResult {
    let boot = common_vm_setup(&mut vm)?;
    vm.args(["-device", "intel-iommu,intremap=on"]);
    vm.args(["-machine", "kernel_irqchip=split"]);
    run_and_check(&mut vm, boot, "intel_iommu=on")
}

#[qemu_test]
fn intel_iommu_strict(mut vm: Machine) -> TestResult {
    let boot = common_vm_setup(&mut vm)?;
    vm.args(["-device", "intel-iommu,intremap=on"]);
    vm.args(["-machine", "kernel_irqchip=split"]);
    run_and_check(&mut vm, boot, "intel_iommu=on,strict")
}

#[qemu_test]
fn intel_iommu_strict_cm(mut vm: Machine) -> TestResult {
    let boot = common_vm_setup(&mut vm)?;
    vm.args(["-device", "intel-iommu,intremap=on,caching-mode=on"]);
    vm.args(["-machine", "kernel_irqchip=split"]);
    run_and_check(&mut vm, boot, "intel_iommu=on,strict")
}

#[qemu_test]
fn intel_iommu_pt(mut vm: Machine) -> TestResult {
    let boot = common_vm_setup(&mut vm)?;
    vm.args(["-device", "intel-iommu,intremap=on"]);
    vm.args(["-machine", "kernel_irqchip=split"]);
    run_and_check(&mut vm, boot, "intel_iommu=on iommu=pt")
}
