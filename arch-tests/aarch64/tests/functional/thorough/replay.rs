//! Port of QEMU's tests/functional/aarch64/test_replay.py: a TuxBoot kernel and rootfs on virt, with block and network replay, recorded and replayed to the login banner.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/arm64/Image",
    "b74743c5e89e1cea0f73368d24ae0ae85c5204ff84be3b5e9610417417d2f235",
);

#[asset]
static ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/arm64/rootfs.ext4.zst",
    "a1acaaae2068df4648d04ff75f532aaa8c5edcd6b936122b6f0db4848a07b465",
);

#[qemu_test]
fn aarch64_virt(mut vm: Machine) -> TestResult {
    vm.require_netdev("user")?;
    vm.set_machine("virt")?;
    vm.args(["-cpu", "cortex-a57"]);
    let kernel_path = vm.env().fetch(&KERNEL)?;
    let raw_disk = vm.env().uncompress(&ROOTFS)?;
    let disk = vm.env().scratch_file(["scratch.qcow2"]);
    replay::create_overlay(vm.env(), &raw_disk, &disk)?;
    let block_and_network = replay::BlockAndNetwork::new(&disk, "virtio-blk-device");
    let args = &block_and_network.args();
    let kernel_command_line = format!(
        "{}console=ttyAMA0 root=/dev/vda",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    let console_pattern = "Welcome to TuxTest";
    vm.run_rr_with(&kernel_path, &kernel_command_line, console_pattern, 7, args)
}
