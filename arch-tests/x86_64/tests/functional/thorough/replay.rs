//! Port of QEMU's tests/functional/x86_64/test_replay.py: a TuxBoot kernel and rootfs on pc and q35, with block and network replay, recorded and replayed to the login banner.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/x86_64/bzImage",
    "f57bfc6553bcd6e0a54aab86095bf642b33b5571d14e3af1731b18c87ed5aef8",
);

#[asset]
static ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/x86_64/rootfs.ext4.zst",
    "4b8b2a99117519c5290e1202cb36eb6c7aaba92b357b5160f5970cf5fb78a751",
);

fn do_test_x86(vm: &mut Machine, machine: &str, blkdevice: &str, devroot: &str) -> TestResult {
    vm.require_netdev("user")?;
    vm.set_machine(machine)?;
    vm.args(["-cpu", "Nehalem"]);
    let kernel_path = vm.env().fetch(&KERNEL)?;
    let raw_disk = vm.env().uncompress(&ROOTFS)?;
    let disk = vm.env().scratch_file(["scratch.qcow2"]);
    replay::create_overlay(vm.env(), &raw_disk, &disk)?;
    let block_and_network = replay::BlockAndNetwork::new(&disk, blkdevice);
    let args = &block_and_network.args();
    let kernel_command_line = format!(
        "{}console=ttyS0 root=/dev/{devroot}",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    let console_pattern = "Welcome to TuxTest";
    vm.run_rr_with(&kernel_path, &kernel_command_line, console_pattern, 5, args)
}

#[qemu_test]
fn pc(mut vm: Machine) -> TestResult {
    skip::flaky("https://gitlab.com/qemu-project/qemu/-/issues/2094")?;
    do_test_x86(&mut vm, "pc", "virtio-blk", "vda")
}

#[qemu_test]
fn q35(mut vm: Machine) -> TestResult {
    do_test_x86(&mut vm, "q35", "ide-hd", "sda")
}
