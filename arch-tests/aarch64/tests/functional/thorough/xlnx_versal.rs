//! Port of QEMU's tests/functional/aarch64/test_xlnx_versal.py: an Ubuntu installer kernel boots on amd-versal-virt and amd-versal2-virt.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "http://ports.ubuntu.com/ubuntu-ports/dists/bionic-updates/main/installer-arm64/20101020ubuntu543.19/images/netboot/ubuntu-installer/arm64/linux",
    "ce54f74ab0b15cfd13d1a293f2d27ffd79d8a85b7bb9bf21093ae9513864ac79",
);

#[asset]
static INITRD: Asset = Asset::new(
    "http://ports.ubuntu.com/ubuntu-ports/dists/bionic-updates/main/installer-arm64/20101020ubuntu543.19/images/netboot//ubuntu-installer/arm64/initrd.gz",
    "e7a5e716b6f516d8be315c06e7331aaf16994fe4222e0e7cfb34bc015698929e",
);

fn common_aarch64_amd_versal_virt(mut vm: Machine, machine: &str) -> TestResult {
    vm.set_machine(machine)?;
    let kernel = vm.env().fetch(&KERNEL)?;
    let initrd = vm.env().fetch(&INITRD)?;
    vm.set_console();
    vm.args(["-m", "2G", "-accel", "tcg", "-kernel"])
        .arg(&kernel);
    vm.arg("-initrd").arg(&initrd);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Checked W+X mappings: passed")?;
    Ok(())
}

#[qemu_test]
fn aarch64_amd_versal_virt(vm: Machine) -> TestResult {
    common_aarch64_amd_versal_virt(vm, "amd-versal-virt")
}

#[qemu_test]
fn aarch64_amd_versal2_virt(vm: Machine) -> TestResult {
    common_aarch64_amd_versal_virt(vm, "amd-versal2-virt")
}
