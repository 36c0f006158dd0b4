//! Port of QEMU's tests/functional/mips/test_malta.py: Debian kernels on the big-endian 32-bit Malta reach their command line, a cpio rootfs's shell (devices, TFTP, reboot), and a wheezy image's login.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL_2_63_2: Asset = Asset::new(
    "http://snapshot.debian.org/archive/debian/20130217T032700Z/pool/main/l/linux-2.6/linux-image-2.6.32-5-4kc-malta_2.6.32-48_mips.deb",
    "16ca524148afb0626f483163e5edf352bc1ab0e4fc7b9f9d473252762f2c7a43",
);

#[qemu_test]
fn mips_malta(mut vm: Machine) -> TestResult {
    let kernel_path = vm
        .env()
        .archive_extract(&KERNEL_2_63_2, "boot/vmlinux-2.6.32-5-4kc-malta")?;

    vm.set_machine("malta")?;
    let kernel_command_line = format!("{}console=ttyS0", linux::KERNEL_COMMON_COMMAND_LINE);
    linux::boot_to_command_line(&mut vm, &kernel_path, &kernel_command_line)?;
    Ok(())
}

#[asset]
static KERNEL_4_5_0: Asset = Asset::new(
    "http://snapshot.debian.org/archive/debian/20160601T041800Z/pool/main/l/linux/linux-image-4.5.0-2-4kc-malta_4.5.5-1_mips.deb",
    "526b17d5889840888b76fc2c36a0ebde182c9b1410a3a1e68203c3b160eb2027",
);

#[asset]
static INITRD: Asset = Asset::new(
    "https://github.com/groeck/linux-build-test/raw/8584a59ed9e5eb5ee7ca91f6d74bbb06619205b8/rootfs/mips/rootfs.cpio.gz",
    "dcfe3a7fe3200da3a00d176b95caaa086495eb158f2bff64afc67d7e1eb2cddc",
);

#[qemu_test]
fn mips_malta_cpio(mut vm: Machine) -> TestResult {
    vm.require_netdev("user")?;
    vm.set_machine("malta")?;
    vm.require_device("pcnet")?;

    let kernel_path = vm
        .env()
        .archive_extract(&KERNEL_4_5_0, "boot/vmlinux-4.5.0-2-4kc-malta")?;
    let initrd_path = vm.env().uncompress(&INITRD)?;

    vm.set_console();
    let kernel_command_line = format!(
        "{}console=ttyS0 console=tty rdinit=/sbin/init noreboot",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    let tftp = vm.env().scratch_file(["boot"]);
    vm.arg("-kernel").arg(&kernel_path);
    vm.arg("-initrd").arg(&initrd_path);
    vm.args(["-append", &kernel_command_line]);
    vm.arg("-netdev")
        .arg(format!("user,id=n1,tftp={}", tftp.display()));
    vm.args(["-device", "pcnet,netdev=n1", "-no-reboot"]);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Boot successful.")?;

    let console = vm.console();
    console.exec_command_and_wait_for_pattern("cat /proc/cpuinfo", "BogoMIPS", None)?;
    console.exec_command_and_wait_for_pattern("uname -a", "4.5.0-2-4kc-malta #1 Debian", None)?;
    malta::mips_run_common_commands(console, "#")?;

    console.exec_command_and_wait_for_pattern("ip link set eth0 up", "eth0: link up", None)?;
    console.exec_command_and_wait_for_pattern("ip addr add 10.0.2.15 dev eth0", "#", None)?;
    console.exec_command_and_wait_for_pattern("route add default eth0", "#", None)?;
    console.exec_command_and_wait_for_pattern(
        "tftp -g -r vmlinux-4.5.0-2-4kc-malta 10.0.2.2",
        "#",
        None,
    )?;
    console.exec_command_and_wait_for_pattern(
        "md5sum vmlinux-4.5.0-2-4kc-malta",
        "a98218a7efbdefb2dfdf9ecd08c98318",
        None,
    )?;

    console.exec_command_and_wait_for_pattern("reboot", "reboot: Restarting system", None)?;
    // Wait for VM to shut down gracefully
    vm.wait_exit()?;
    Ok(())
}

#[asset]
static WHEEZY_KERNEL: Asset = Asset::new(
    "https://people.debian.org/~aurel32/qemu/mips/vmlinux-3.2.0-4-4kc-malta",
    "0377fcda31299213c10b8e5babe7260ef99188b3ae1aca6f56594abb71e7f67e",
);

#[asset]
static WHEEZY_DISK: Asset = Asset::new(
    "https://people.debian.org/~aurel32/qemu/mips/debian_wheezy_mips_standard.qcow2",
    "de03599285b8382ad309309a6c4869f6c6c42a5cfc983342bab9ec0dfa7849a2",
);

#[qemu_test]
fn wheezy(mut vm: Machine) -> TestResult {
    skip::flaky("https://gitlab.com/qemu-project/qemu/-/issues/3109")?;
    let wheezy = malta::Wheezy::new(
        "/boot/initrd.img-3.2.0-4-4kc-malta",
        "ff0c0369143d9bbb9a6e6bc79322a2be535619df639e84103237f406e87493dc",
    )
    .nic("e1000");
    malta::check_wheezy(&mut vm, &WHEEZY_KERNEL, &WHEEZY_DISK, wheezy)
}
