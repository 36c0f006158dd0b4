//! Port of QEMU's tests/functional/x86_64/test_hotplug_cpu.py: a Haswell CPU hot-added over QMP shows up in a Fedora rescue shell under KVM, and goes away when deleted.

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

#[qemu_test]
fn hotplug(mut vm: Machine) -> TestResult {
    vm.require_accelerator("kvm")?;
    vm.args(["-accel", "kvm"]);
    vm.args(["-cpu", "Haswell"]);
    vm.args(["-smp", "1,sockets=1,cores=2,threads=1,maxcpus=2"]);
    vm.args(["-m", "1G"]);
    vm.args(["-append", "console=ttyS0 rd.rescue"]);
    let kernel = vm.env().fetch(&KERNEL)?;
    let initrd = vm.env().fetch(&INITRD)?;
    vm.launch_kernel(
        &kernel,
        Some(&initrd),
        None,
        0,
        Some("Entering emergency mode."),
    )?;
    let prompt = "# ";
    linux::wait_for_console_pattern(&mut vm, prompt)?;

    let console = vm.console();
    console.exec_command_and_wait_for_pattern("cd /sys/devices/system/cpu/cpu0", "cpu0#", None)?;
    console.exec_command_and_wait_for_pattern(
        "cd /sys/devices/system/cpu/cpu1",
        "No such file or directory",
        None,
    )?;

    vm.cmd(
        "device_add",
        json!({"driver": "Haswell-x86_64-cpu", "id": "c1", "socket-id": 0, "core-id": 1, "thread-id": 0}),
    )?;
    linux::wait_for_console_pattern(&mut vm, "CPU1 has been hot-added")?;

    let console = vm.console();
    console.exec_command_and_wait_for_pattern("cd /sys/devices/system/cpu/cpu1", "cpu1#", None)?;
    console.exec_command_and_wait_for_pattern("cd ..", prompt, None)?;
    vm.cmd("device_del", json!({"id": "c1"}))?;

    vm.console().exec_command_and_wait_for_pattern(
        "while cd /sys/devices/system/cpu/cpu1 ; do sleep 0.2 ; done",
        "No such file or directory",
        None,
    )?;
    Ok(())
}
