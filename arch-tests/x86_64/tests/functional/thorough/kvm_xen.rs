//! Port of QEMU's tests/functional/x86_64/test_kvm_xen.py: a Linux guest under KVM's Xen emulation boots from a xen-disk, and its interrupts go through Xen PIRQs, vector callbacks or the platform PCI device as its command line asks.

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::MachineError;

const KERNEL_DEFAULT: &str = "printk.time=0 root=/dev/xvda console=ttyS0 quiet";

// Fetch assets from the kvm-xen-guest subdir of Alex Bennée's shared test
// images directory on fileserver.linaro.org.
#[asset]
static KERNEL: Asset = Asset::new(
    "https://fileserver.linaro.org/s/kE4nCFLdQcoBF9t/download?path=%2Fkvm-xen-guest&files=bzImage",
    "ec0ad7bb8c33c5982baee0a75505fe7dbf29d3ff5d44258204d6307c6fe0132a",
);
#[asset]
static ROOTFS: Asset = Asset::new(
    "https://fileserver.linaro.org/s/kE4nCFLdQcoBF9t/download?path=%2Fkvm-xen-guest&files=rootfs.ext4",
    "b11045d649006c649c184e93339aaa41a8fe20a1a86620af70323252eb29e40b",
);

/// The kernel and rootfs upstream keeps in `self.kernel_path`, `self.rootfs`.
struct Guest {
    kernel_path: std::path::PathBuf,
    rootfs: std::path::PathBuf,
}

/// Upstream's `common_vm_setup`.
fn common_vm_setup(vm: &mut Machine) -> Result<Guest, TestError> {
    // We also catch lack of KVM_XEN support if we fail to launch
    vm.require_accelerator("kvm")?;
    vm.require_netdev("user")?;
    vm.set_console();
    vm.args(["-accel", "kvm,xen-version=0x4000a,kernel-irqchip=split"]);
    vm.args(["-smp", "2"]);
    Ok(Guest {
        kernel_path: vm.env().fetch(&KERNEL)?,
        rootfs: vm.env().fetch(&ROOTFS)?,
    })
}

/// Upstream's `run_and_check`: boots to dropbear and checks the guest
/// sees Xen.
fn run_and_check(vm: &mut Machine, guest: &Guest, kernel_params: &str) -> TestResult {
    vm.arg("-kernel").arg(&guest.kernel_path);
    vm.args(["-append", kernel_params]);
    vm.args([
        "-drive",
        &format!(
            "file={},if=none,snapshot=on,format=raw,id=drv0",
            guest.rootfs.display()
        ),
        "-device",
        "xen-disk,drive=drv0,vdev=xvda",
        "-device",
        "virtio-net-pci,netdev=unet",
        "-netdev",
        &usernet::hostfwd_netdev("unet", 22),
    ]);
    launch_xen(vm)?;
    vm.env().log("VM launched, waiting for sshd");
    vm.console()
        .wait_for_console_pattern("Starting dropbear sshd: OK", Some("Oops"))?;
    vm.env().log("sshd ready");
    vm.console()
        .exec_command_and_wait_for_pattern("cat /proc/cmdline", "xen", None)?;
    vm.console().exec_command_and_wait_for_pattern(
        "dmesg | grep \"Grant table\"",
        "Grant table initialized",
        None,
    )?;
    vm.console().wait_for_console_pattern("#", Some("Oops"))?;
    Ok(())
}

/// `launch`, with upstream's skips when KVM or QEMU lacks Xen emulation.
fn launch_xen(vm: &mut Machine) -> TestResult {
    match vm.launch() {
        Err(MachineError::DidNotStart { output, .. })
            if output.contains("Xen HVM guest support not present") =>
        {
            Err(Skip::new(
                "KVM Xen support is not present (need v5.12+ kernel with CONFIG_KVM_XEN)",
            )
            .into())
        }
        Err(MachineError::DidNotStart { output, .. })
            if output.contains("Property 'kvm-accel.xen-version' not found") =>
        {
            Err(Skip::new("QEMU not built with CONFIG_XEN_EMU support").into())
        }
        other => other.map(|_| ()).map_err(TestError::from),
    }
}

#[qemu_test]
fn kvm_xen_guest(mut vm: Machine) -> TestResult {
    let guest = common_vm_setup(&mut vm)?;
    run_and_check(
        &mut vm,
        &guest,
        &format!("{KERNEL_DEFAULT} xen_emul_unplug=ide-disks"),
    )?;
    vm.console().exec_command_and_wait_for_pattern(
        "grep xen-pirq.*msi /proc/interrupts",
        "virtio0-output",
        None,
    )?;
    Ok(())
}

#[qemu_test]
fn kvm_xen_guest_nomsi(mut vm: Machine) -> TestResult {
    let guest = common_vm_setup(&mut vm)?;
    let params = format!("{KERNEL_DEFAULT} xen_emul_unplug=ide-disks pci=nomsi");
    run_and_check(&mut vm, &guest, &params)?;
    vm.console().exec_command_and_wait_for_pattern(
        "grep xen-pirq.* /proc/interrupts",
        "virtio0",
        None,
    )?;
    Ok(())
}

#[qemu_test]
fn kvm_xen_guest_noapic_nomsi(mut vm: Machine) -> TestResult {
    let guest = common_vm_setup(&mut vm)?;
    let params = format!("{KERNEL_DEFAULT} xen_emul_unplug=ide-disks noapic pci=nomsi");
    run_and_check(&mut vm, &guest, &params)?;
    vm.console().exec_command_and_wait_for_pattern(
        "grep xen-pirq /proc/interrupts",
        "virtio0",
        None,
    )?;
    Ok(())
}

#[qemu_test]
fn kvm_xen_guest_vapic(mut vm: Machine) -> TestResult {
    let guest = common_vm_setup(&mut vm)?;
    vm.args(["-cpu", "host,+xen-vapic"]);
    run_and_check(
        &mut vm,
        &guest,
        &format!("{KERNEL_DEFAULT} xen_emul_unplug=ide-disks"),
    )?;
    vm.console().exec_command_and_wait_for_pattern(
        "grep xen-pirq /proc/interrupts",
        "acpi",
        None,
    )?;
    vm.console().wait_for("#")?;
    vm.console().exec_command_and_wait_for_pattern(
        "grep PCI-MSI /proc/interrupts",
        "virtio0-output",
        None,
    )?;
    Ok(())
}

#[qemu_test]
fn kvm_xen_guest_novector(mut vm: Machine) -> TestResult {
    let guest = common_vm_setup(&mut vm)?;
    let params = format!("{KERNEL_DEFAULT} xen_emul_unplug=ide-disks xen_no_vector_callback");
    run_and_check(&mut vm, &guest, &params)?;
    vm.console().exec_command_and_wait_for_pattern(
        "grep xen-platform-pci /proc/interrupts",
        "fasteoi",
        None,
    )?;
    Ok(())
}

#[qemu_test]
fn kvm_xen_guest_novector_nomsi(mut vm: Machine) -> TestResult {
    let guest = common_vm_setup(&mut vm)?;
    let params =
        format!("{KERNEL_DEFAULT} xen_emul_unplug=ide-disks pci=nomsi xen_no_vector_callback");
    run_and_check(&mut vm, &guest, &params)?;
    vm.console().exec_command_and_wait_for_pattern(
        "grep xen-platform-pci /proc/interrupts",
        "IO-APIC",
        None,
    )?;
    Ok(())
}

#[qemu_test]
fn kvm_xen_guest_novector_noapic(mut vm: Machine) -> TestResult {
    let guest = common_vm_setup(&mut vm)?;
    let params =
        format!("{KERNEL_DEFAULT} xen_emul_unplug=ide-disks xen_no_vector_callback noapic");
    run_and_check(&mut vm, &guest, &params)?;
    vm.console().exec_command_and_wait_for_pattern(
        "grep xen-platform-pci /proc/interrupts",
        "XT-PIC",
        None,
    )?;
    Ok(())
}
