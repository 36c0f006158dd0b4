//! Port of QEMU's tests/functional/aarch64/test_virt.py: Alpine boots from EDK2 on virt with GIC max, and a kernel with GICv2 and GICv3 runs commands that touch IRQs, an RNG and a scratch disk.

use qemu_fixtures::prelude::*;

#[asset]
static ALPINE_ISO: Asset = Asset::new(
    "https://dl-cdn.alpinelinux.org/alpine/v3.17/releases/aarch64/alpine-standard-3.17.2-aarch64.iso",
    "5a36304ecf039292082d92b48152a9ec21009d3a62f459de623e19c4bd9dc027",
);

/// The whole boot chain from EFI to userspace; only the top level CPU and
/// GIC boot a whole OS, other profiles should boot less.
#[qemu_test]
fn alpine_virt_tcg_gic_max(mut vm: Machine) -> TestResult {
    let iso_path = vm.env().fetch(&ALPINE_ISO)?;
    vm.set_machine("virt")?;
    vm.require_accelerator("tcg")?;
    vm.set_console();
    vm.args(["-accel", "tcg", "-cpu", "max,pauth-impdef=on"]);
    vm.args([
        "-machine",
        "virt,acpi=on,virtualization=on,mte=on,gic-version=max,iommu=smmuv3",
    ]);
    vm.args(["-smp", "2", "-m", "1024"]);
    let bios = vm.env().build_file(["pc-bios", "edk2-aarch64-code.fd"])?;
    vm.arg("-bios").arg(bios);
    vm.arg("-drive").arg(format!(
        "file={},media=cdrom,format=raw",
        iso_path.display()
    ));
    vm.args(["-device", "virtio-rng-pci,rng=rng0"]);
    vm.args(["-object", "rng-random,id=rng0,filename=/dev/urandom"]);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Welcome to Alpine Linux 3.17")?;
    Ok(())
}

#[asset]
static KERNEL: Asset = Asset::new(
    "https://fileserver.linaro.org/s/z6B2ARM7DQT3HWN/download",
    "12a54d4805cda6ab647cb7c7bbdb16fafb3df400e0d6f16445c1a0436100ef8d",
);

/// A basic virt machine with kernel+initrd and a scratch disk.
fn common_aarch64_virt(vm: &mut Machine, machine: &str) -> TestResult {
    vm.set_machine("virt")?;
    vm.require_accelerator("tcg")?;
    let kernel_path = vm.env().fetch(&KERNEL)?;
    vm.set_console();
    let kernel_command_line = format!("{}console=ttyAMA0", linux::KERNEL_COMMON_COMMAND_LINE);
    vm.args([
        "-cpu",
        "max,pauth-impdef=on",
        "-machine",
        machine,
        "-accel",
        "tcg",
    ]);
    vm.arg("-kernel").arg(&kernel_path);
    vm.args(["-append", &kernel_command_line]);
    // A RNG offers an easy way to generate a few IRQs
    vm.args(["-device", "virtio-rng-pci,rng=rng0"]);
    vm.args(["-object", "rng-random,id=rng0,filename=/dev/urandom"]);
    // Also a scratch block device
    let image_path = vm.env().scratch_file(["scratch.qcow2"]);
    vm.env().run_qemu_img([
        "create".as_ref(),
        "-f".as_ref(),
        "qcow2".as_ref(),
        image_path.as_os_str(),
        "8M".as_ref(),
    ])?;
    vm.arg("-blockdev").arg(format!(
        "driver=qcow2,file.driver=file,file.filename={},node-name=scratch",
        image_path.display()
    ));
    vm.args(["-device", "virtio-blk-device,drive=scratch"]);
    vm.launch()?;
    let ps1 = "#";
    linux::wait_for_console_pattern(vm, "login:")?;
    for (cmd, pattern) in [
        ("root", ps1),
        ("cat /proc/interrupts", ps1),
        ("cat /proc/self/maps", ps1),
        ("uname -a", ps1),
        ("dd if=/dev/hwrng of=/dev/vda bs=512 count=4", ps1),
        ("md5sum /dev/vda", ps1),
        ("halt -n", "reboot: System halted"),
    ] {
        vm.console()
            .exec_command_and_wait_for_pattern(cmd, pattern, None)?;
    }
    Ok(())
}

#[qemu_test]
fn aarch64_virt_gicv3(mut vm: Machine) -> TestResult {
    common_aarch64_virt(&mut vm, "virt,gic_version=3")
}

#[qemu_test]
fn aarch64_virt_gicv2(mut vm: Machine) -> TestResult {
    common_aarch64_virt(&mut vm, "virt,gic-version=2")
}
