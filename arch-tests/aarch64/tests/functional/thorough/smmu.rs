//! Port of QEMU's tests/functional/aarch64/test_smmu.py: Fedora guests on virt with iommu=smmuv3 under KVM or HVF use the SMMU for virtio-blk and virtio-net, with and without range invalidation, passthrough and strict mode.

use std::path::PathBuf;

use qemu_fixtures::prelude::*;

const DEFAULT_KERNEL_PARAMS: &str = "earlyprintk=pl011,0x9000000 no_timer_check \
     printk.time=1 rd_NO_PLYMOUTH net.ifnames=0 console=ttyAMA0 rd.rescue";
const IOMMU_ADDON: &str = ",iommu_platform=on,disable-modern=off,disable-legacy=on";
const GUEST_PORT: u16 = 8080;

fn set_up_boot(vm: &mut Machine, path: &std::path::Path) {
    vm.arg("-device").arg(format!(
        "virtio-blk-pci,bus=pcie.0,drive=drv0,id=virtio-disk0,bootindex=1,werror=stop,rerror=stop{IOMMU_ADDON}"
    ));
    vm.arg("-drive").arg(format!(
        "file={},if=none,cache=writethrough,id=drv0,snapshot=on",
        path.display()
    ));
    vm.arg("-netdev")
        .arg(format!("user,id=n1,hostfwd=tcp:127.0.0.1:0-:{GUEST_PORT}"));
    vm.arg("-device")
        .arg(format!("virtio-net,netdev=n1{IOMMU_ADDON}"));
}

fn common_vm_setup(
    vm: &mut Machine,
    kernel: &Asset,
    initrd: &Asset,
    disk: &Asset,
) -> Result<(PathBuf, PathBuf), TestError> {
    // HVF where there is one (macOS), else KVM: a skip without either.
    let accel = if vm.require_accelerator("hvf").is_ok() {
        "hvf"
    } else {
        "kvm"
    };
    vm.require_accelerator(accel)?;
    vm.require_netdev("user")?;
    vm.set_machine("virt")?;
    vm.args(["-m", "1G", "-accel", accel, "-cpu", "host"]);
    vm.args(["-machine", "iommu=smmuv3", "-d", "guest_errors"]);
    let bios = vm.env().build_file(["pc-bios", "edk2-aarch64-code.fd"])?;
    vm.arg("-bios").arg(&bios);
    vm.args(["-device", "virtio-rng-pci,rng=rng0"]);
    vm.args(["-object", "rng-random,id=rng0,filename=/dev/urandom"]);
    let kernel = vm.env().fetch(kernel)?;
    let initrd = vm.env().fetch(initrd)?;
    let disk = vm.env().fetch(disk)?;
    set_up_boot(vm, &disk);
    Ok((kernel, initrd))
}

fn run_and_check(
    mut vm: Machine,
    (kernel, initrd): (PathBuf, PathBuf),
    kernel_params: &str,
    filename: &str,
    hashsum: &str,
) -> TestResult {
    vm.arg("-initrd").arg(&initrd);
    vm.args(["-append", kernel_params]);
    vm.launch_kernel(
        &kernel,
        Some(&initrd),
        None,
        0,
        Some("attach it to a bug report."),
    )?;
    let prompt = "# ";
    // Fedora 33 requires 'return' to be pressed to enter the shell. Python
    // sleeps 0.2 s after the ':' against a race with the newline; sending
    // it until the prompt shows has no race.
    linux::wait_for_console_pattern(&mut vm, ":")?;
    let console = vm.console();
    console.interrupt_interactive_console_until_pattern(prompt, None, Some("\n"))?;
    console.exec_command_and_wait_for_pattern("cat /proc/cmdline", kernel_params, None)?;

    // Checking for SMMU enablement:
    vm.env().log("Checking whether SMMU has been enabled...");
    let console = vm.console();
    console.exec_command_and_wait_for_pattern("dmesg | grep smmu", "arm-smmu-v3", None)?;
    console.wait_for(prompt)?;
    console.exec_command_and_wait_for_pattern(
        "find /sys/kernel/iommu_groups/ -type l",
        "devices/0000:00:",
        None,
    )?;
    console.wait_for(prompt)?;

    // Copy a file (checked later), umount afterwards to drop disk cache:
    vm.env().log("Checking hard disk...");
    let console = vm.console();
    console.exec_command_and_wait_for_pattern(
        "while ! (dmesg -c | grep vda:) ; do sleep 1 ; done",
        "vda2",
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        "mount /dev/vda2 /sysroot",
        "mounted filesystem",
        None,
    )?;
    console.exec_command_and_wait_for_pattern("cp /bin/vi /sysroot/root/vi", prompt, None)?;
    console.exec_command_and_wait_for_pattern("umount /sysroot", prompt, None)?;
    // Switch from initrd to the cloud image filesystem:
    console.exec_command_and_wait_for_pattern("mount /dev/vda2 /sysroot", prompt, None)?;
    console.exec_command_and_wait_for_pattern(
        "for d in dev proc sys run ; do mount -o bind /$d /sysroot/$d ; done",
        prompt,
        None,
    )?;
    console.exec_command_and_wait_for_pattern("chroot /sysroot", prompt, None)?;
    // Check files on the hard disk:
    console.exec_command_and_wait_for_pattern(
        "if diff -q /root/vi /usr/bin/vi ; then echo \"file\" \"ok\" ; else echo \"files differ\"; fi",
        "file ok",
        None,
    )?;
    console.wait_for(prompt)?;
    console.exec_command_and_wait_for_pattern(&format!("sha256sum {filename}"), hashsum, None)?;

    // Check virtio-net via HTTP:
    console.exec_command_and_wait_for_pattern("dhclient eth0", prompt, None)?;
    linux::check_http_download_with(
        &mut vm,
        filename,
        hashsum,
        GUEST_PORT,
        "python3 -m http.server",
    )
}

// 5.3 kernel without RIL #

#[asset]
static KERNEL_F31: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Server/aarch64/os/images/pxeboot/vmlinuz",
    "3ae07fcafbfc8e4abeb693035a74fe10698faae15e9ccd48882a9167800c1527",
);

#[asset]
static INITRD_F31: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Server/aarch64/os/images/pxeboot/initrd.img",
    "9f3146b28bc531c689f3c5f114cb74e4bd7bd548e0ba19fa77921d8bd256755a",
);

#[asset]
static DISK_F31: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Cloud/aarch64/images/Fedora-Cloud-Base-31-1.9.aarch64.qcow2",
    "1e18d9c0cf734940c4b5d5ec592facaed2af0ad0329383d5639c997fdf16fe49",
);

const F31_FILENAME: &str = "/boot/initramfs-5.3.7-301.fc31.aarch64.img";
const F31_HSUM: &str = "1a4beec6607d94df73d9dd1b4985c9c23dd0fdcf4e6ca1351d477f190df7bef9";

#[qemu_test]
fn smmu_noril(mut vm: Machine) -> TestResult {
    let boot = common_vm_setup(&mut vm, &KERNEL_F31, &INITRD_F31, &DISK_F31)?;
    run_and_check(vm, boot, DEFAULT_KERNEL_PARAMS, F31_FILENAME, F31_HSUM)
}

#[qemu_test]
fn smmu_noril_passthrough(mut vm: Machine) -> TestResult {
    let boot = common_vm_setup(&mut vm, &KERNEL_F31, &INITRD_F31, &DISK_F31)?;
    let kernel_params = format!("{DEFAULT_KERNEL_PARAMS} iommu.passthrough=on");
    run_and_check(vm, boot, &kernel_params, F31_FILENAME, F31_HSUM)
}

#[qemu_test]
fn smmu_noril_nostrict(mut vm: Machine) -> TestResult {
    let boot = common_vm_setup(&mut vm, &KERNEL_F31, &INITRD_F31, &DISK_F31)?;
    let kernel_params = format!("{DEFAULT_KERNEL_PARAMS} iommu.strict=0");
    run_and_check(vm, boot, &kernel_params, F31_FILENAME, F31_HSUM)
}

// 5.8 kernel featuring range invalidation
// >= v5.7 kernel

#[asset]
static KERNEL_F33: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/33/Server/aarch64/os/images/pxeboot/vmlinuz",
    "d8b1e6f7241f339d8e7609c456cf0461ffa4583ed07e0b55c7d1d8a0c154aa89",
);

#[asset]
static INITRD_F33: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/33/Server/aarch64/os/images/pxeboot/initrd.img",
    "92513f55295c2c16a777f7b6c35ccd70a438e9e1e40b6ba39e0e60900615b3df",
);

#[asset]
static DISK_F33: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/33/Cloud/aarch64/images/Fedora-Cloud-Base-33-1.2.aarch64.qcow2",
    "e7f75cdfd523fe5ac2ca9eeece68edc1a81f386a17f969c1d1c7c87031008a6b",
);

const F33_FILENAME: &str = "/boot/initramfs-5.8.15-301.fc33.aarch64.img";
const F33_HSUM: &str = "079cfad0caa82e84c8ca1fb0897a4999dd769f262216099f518619e807a550d9";

#[qemu_test]
fn smmu_ril(mut vm: Machine) -> TestResult {
    let boot = common_vm_setup(&mut vm, &KERNEL_F33, &INITRD_F33, &DISK_F33)?;
    run_and_check(vm, boot, DEFAULT_KERNEL_PARAMS, F33_FILENAME, F33_HSUM)
}

#[qemu_test]
fn smmu_ril_passthrough(mut vm: Machine) -> TestResult {
    let boot = common_vm_setup(&mut vm, &KERNEL_F33, &INITRD_F33, &DISK_F33)?;
    let kernel_params = format!("{DEFAULT_KERNEL_PARAMS} iommu.passthrough=on");
    run_and_check(vm, boot, &kernel_params, F33_FILENAME, F33_HSUM)
}

#[qemu_test]
fn smmu_ril_nostrict(mut vm: Machine) -> TestResult {
    let boot = common_vm_setup(&mut vm, &KERNEL_F33, &INITRD_F33, &DISK_F33)?;
    let kernel_params = format!("{DEFAULT_KERNEL_PARAMS} iommu.strict=0");
    run_and_check(vm, boot, &kernel_params, F33_FILENAME, F33_HSUM)
}
