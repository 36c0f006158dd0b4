//! Port of QEMU's tests/functional/x86_64/test_virtio_gpu.py: a Fedora kernel under KVM finds virgl and EDID on virtio-vga-gl, and on vhost-user-vga served by vhost-user-gpu over a socket pair.

use std::os::fd::AsRawFd;

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::binary::is_readable_executable_file;
use qemu_fixtures::vm::inheritable_socket_pair;

const KERNEL_COMMAND_LINE: &str = "printk.time=0 console=ttyS0 rdinit=/bin/bash";

#[asset]
static KERNEL: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/33/Everything/x86_64/os/images/pxeboot/vmlinuz",
    "2dc5fb5cfe9ac278fa45640f3602d9b7a08cc189ed63fd9b162b07073e4df397",
);
#[asset]
static INITRD: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/33/Everything/x86_64/os/images/pxeboot/initrd.img",
    "c49b97f893a5349e4883452178763e402bdc5caa8845b226a2d1329b5f356045",
);

/// Upstream's `pick_default_vug_bin`: the build tree's vhost-user-gpu.
fn pick_default_vug_bin(vm: &Machine) -> Option<std::path::PathBuf> {
    let path = vm
        .env()
        .build_file(["contrib", "vhost-user-gpu", "vhost-user-gpu"])
        .ok()?;
    is_readable_executable_file(&path).then_some(path)
}

/// The kernel and initrd with upstream's command line; a launch failure
/// is upstream's skip ("probably fails because we are missing the VirGL
/// features"), then the guest's driver must report virgl and EDID.
fn boot_and_check_virgl(vm: &mut Machine) -> TestResult {
    let kernel = vm.env().fetch(&KERNEL)?;
    let initrd = vm.env().fetch(&INITRD)?;
    vm.arg("-kernel").arg(&kernel).arg("-initrd").arg(&initrd);
    vm.args(["-append", KERNEL_COMMAND_LINE]);
    if vm.launch().is_err() {
        return Err(Skip::new("VirGL not enabled?").into());
    }
    linux::wait_for_console_pattern(vm, "as init process")?;
    vm.console().exec_command_and_wait_for_pattern(
        "/usr/sbin/modprobe virtio_gpu",
        "features: +virgl +edid",
        None,
    )?;
    Ok(())
}

#[qemu_test]
fn virtio_vga_virgl(mut vm: Machine) -> TestResult {
    vm.require_accelerator("kvm")?;
    vm.set_console();
    vm.args(["-cpu", "host", "-m", "2G", "-machine", "pc,accel=kvm"]);
    vm.args(["-device", "virtio-vga-gl", "-display", "egl-headless"]);
    boot_and_check_virgl(&mut vm)
}

#[qemu_test]
fn vhost_user_vga_virgl(mut vm: Machine) -> TestResult {
    vm.require_accelerator("kvm")?;
    let Some(vug) = pick_default_vug_bin(&vm) else {
        return Err(Skip::new("Could not find vhost-user-gpu").into());
    };
    // Fetched before the daemon starts, as upstream.
    vm.env().fetch(&KERNEL)?;
    vm.env().fetch(&INITRD)?;
    // Create socketpair to connect proxy and remote processes
    let (qemu_sock, vug_sock) = inheritable_socket_pair()
        .map_err(|err| TestError::io("creating the vhost-user-gpu socket pair", err))?;
    let vugp = vm.env().start_daemon(
        "vhost-user-gpu.log",
        &vug,
        [
            "--virgl".to_owned(),
            format!("--fd={}", vug_sock.as_raw_fd()),
        ],
    )?;
    vm.set_console();
    vm.args(["-cpu", "host", "-m", "2G"]);
    vm.args(["-object", "memory-backend-memfd,id=mem,size=2G"]);
    vm.args(["-machine", "pc,memory-backend=mem,accel=kvm"]);
    vm.args([
        "-chardev",
        &format!("socket,id=vug,fd={}", qemu_sock.as_raw_fd()),
    ]);
    vm.args([
        "-device",
        "vhost-user-vga,chardev=vug",
        "-display",
        "egl-headless",
    ]);
    boot_and_check_virgl(&mut vm)?;
    vm.shutdown()?;
    drop((qemu_sock, vug_sock));
    vugp.terminate()?;
    Ok(())
}
