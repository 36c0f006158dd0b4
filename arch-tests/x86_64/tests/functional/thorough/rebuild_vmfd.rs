//! Port of QEMU's tests/functional/x86_64/test_rebuild_vmfd.py: with x-change-vmfd-on-reset, a KVM guest reset from the console or QMP rebuilds the VM file descriptor (traced), also with the PIT, Xen emulation and Hyper-V VMBus.

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::MachineError;

// ASSET UKI was generated using
// https://gitlab.com/kraxel/edk2-tests/-/blob/unittest/tools/make-supermin.sh
#[asset]
static UKI: Asset = Asset::new(
    "https://gitlab.com/anisinha/misc-artifacts/-/raw/main/uki.x86-64.efi?ref_type=heads",
    "e0f806bd1fa24111312e1fe849d2ee69808d4343930a5dc8c1688da17c65f576",
);
// ASSET_OVMF comes from /usr/share/edk2/ovmf/OVMF.stateless.fd of Fedora 43
// (edk2-ovmf-20251119-3.fc43.noarch).
#[asset]
static OVMF: Asset = Asset::new(
    "https://gitlab.com/anisinha/misc-artifacts/-/raw/main/OVMF.stateless.fd?ref_type=heads",
    "58a4275aafa8774bd6b1540adceae4ea434b8db75b47611839ff47be88cfcf22",
);

/// Upstream's `common_vm_setup(kvm_args, cpu_args)`.
fn common_vm_setup(vm: &mut Machine, kvm_args: Option<&str>, cpu_args: Option<&str>) -> TestResult {
    vm.set_machine("q35")?;
    vm.require_accelerator("kvm")?;
    vm.set_console();
    match kvm_args {
        Some(kvm_args) => vm.args(["-accel", &format!("kvm,{kvm_args}")]),
        None => vm.args(["-accel", "kvm"]),
    };
    vm.args(["-smp", "2"]);
    match cpu_args {
        Some(cpu_args) => vm.args(["-cpu", &format!("host,{cpu_args}")]),
        None => vm.args(["-cpu", "host"]),
    };
    vm.args(["-m", "2G", "-nographic", "-nodefaults"]);
    let uki_path = vm.env().fetch(&UKI)?;
    let ovmf_path = vm.env().fetch(&OVMF)?;
    vm.arg("-kernel").arg(&uki_path);
    vm.arg("-bios").arg(&ovmf_path);
    // enable KVM VMFD change on reset for a non-coco VM
    vm.args(["-machine", "q35,x-change-vmfd-on-reset=on"]);
    // enable tracing of basic vmfd change function
    vm.args(["--trace", "kvm_reset_vmfd"]);
    Ok(())
}

/// Upstream's `launch_vm`: launch, with its Xen skips, to a bash prompt.
fn launch_vm(vm: &mut Machine) -> TestResult {
    match vm.launch() {
        Err(MachineError::DidNotStart { output, .. })
            if output.contains("Xen HVM guest support not present") =>
        {
            return Err(Skip::new(
                "KVM Xen support is not present (need v5.12+ kernel with CONFIG_KVM_XEN)",
            )
            .into());
        }
        Err(MachineError::DidNotStart { output, .. })
            if output.contains("Property 'kvm-accel.xen-version' not found") =>
        {
            return Err(Skip::new("QEMU not built with CONFIG_XEN_EMU support").into());
        }
        other => other?,
    };
    vm.env().log("VM launched");
    vm.console().wait_for("bash-5.1#")?;
    vm.env().log("VM ready with a bash prompt");
    Ok(())
}

/// Upstream's `vm_console_reset`: `reboot -f` in the guest.
fn vm_console_reset(vm: &mut Machine) -> TestResult {
    vm.console().exec_command_and_wait_for_pattern(
        "/usr/sbin/reboot -f",
        "reboot: machine restart",
        None,
    )?;
    vm.console().wait_for("# --- Hello world ---")?;
    vm.shutdown()?;
    Ok(())
}

/// Upstream's `vm_qmp_reset`: `system_reset` over QMP.
fn vm_qmp_reset(vm: &mut Machine) -> TestResult {
    vm.cmd("system_reset", Value::Null)?;
    vm.console().wait_for("# --- Hello world ---")?;
    vm.shutdown()?;
    Ok(())
}

/// Upstream's `assertRegex(self.vm.get_log(), pattern)` for each pattern.
fn check_log(vm: &Machine, patterns: &[&str]) -> TestResult {
    let log = vm.output();
    for pattern in patterns {
        ensure!(log.contains(pattern), "QEMU's log lacks {pattern:?}");
    }
    Ok(())
}

/// Upstream's `check_logs`.
fn check_logs(vm: &Machine) -> TestResult {
    check_log(
        vm,
        &["kvm_reset_vmfd", "virtual machine state has been rebuilt"],
    )
}

#[qemu_test]
fn reset_console(mut vm: Machine) -> TestResult {
    common_vm_setup(&mut vm, None, None)?;
    launch_vm(&mut vm)?;
    vm_console_reset(&mut vm)?;
    check_logs(&vm)
}

#[qemu_test]
fn reset_qmp(mut vm: Machine) -> TestResult {
    common_vm_setup(&mut vm, None, None)?;
    launch_vm(&mut vm)?;
    vm_qmp_reset(&mut vm)?;
    check_logs(&vm)
}

#[qemu_test]
fn reset_kvmpit(mut vm: Machine) -> TestResult {
    common_vm_setup(&mut vm, None, None)?;
    vm.args(["--trace", "kvmpit_post_vmfd_change"]);
    launch_vm(&mut vm)?;
    vm_console_reset(&mut vm)?;
    check_log(&vm, &["kvmpit_post_vmfd_change"])
}

#[qemu_test]
fn reset_xen_emulation(mut vm: Machine) -> TestResult {
    common_vm_setup(
        &mut vm,
        Some("xen-version=0x4000a,kernel-irqchip=split"),
        None,
    )?;
    launch_vm(&mut vm)?;
    vm_console_reset(&mut vm)?;
    check_logs(&vm)
}

#[qemu_test]
fn reset_hyperv_vmbus(mut vm: Machine) -> TestResult {
    common_vm_setup(
        &mut vm,
        None,
        Some("hv-syndbg,hv-relaxed,hv_time,hv-synic,hv-vpindex,hv-runtime,hv-stimer"),
    )?;
    vm.args(["-device", "vmbus-bridge,irq=15"]);
    vm.args(["-trace", "vmbus_handle_vmfd_change"]);
    launch_vm(&mut vm)?;
    vm_console_reset(&mut vm)?;
    check_log(&vm, &["vmbus_handle_vmfd_change"])
}
