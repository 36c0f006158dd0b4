//! Port of QEMU's tests/functional/s390x/test_pxelinux.py: s390-ccw-virtio network-boots over TFTP through a pxelinux.cfg file found by its default, MAC, UUID and IP names and through its boot menu, from virtio-net-ccw and virtio-net-pci.

use qemu_fixtures::prelude::*;

const PXELINUX_CFG_CONTENTS: &str = "# pxelinux.cfg style config file
default Debian
label Nonexisting
kernel kernel.notavailable
initrd initrd.notavailable
label Debian
kernel kernel.debian
initrd initrd.debian
append testoption=teststring
label Fedora
kernel kernel.fedora
";

#[asset]
static DEBIAN_KERNEL: Asset = Asset::new(
    "https://snapshot.debian.org/archive/debian/20201126T092837Z/dists/buster/main/installer-s390x/20190702+deb10u6/images/generic/kernel.debian",
    "d411d17c39ae7ad38d27534376cbe88b68b403c325739364122c2e6f1537e818",
);

#[asset]
static DEBIAN_INITRD: Asset = Asset::new(
    "https://snapshot.debian.org/archive/debian/20201126T092837Z/dists/buster/main/installer-s390x/20190702+deb10u6/images/generic/initrd.debian",
    "836bbd0fe6a5ca81274c28c2b063ea315ce1868660866e9b60180c575fef9fd5",
);

#[asset]
static FEDORA_KERNEL: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora-secondary/releases/31/Server/s390x/os/images/kernel.img",
    "480859574f3f44caa6cd35c62d70e1ac0609134e22ce2a954bbed9b110c06e0b",
);

/// Upstream's `pxelinux_launch`: the kernels and the config file (named
/// `pl_name`) in a TFTP root served by the user network `n1`, which the
/// boot device `dev` (with `extra_opts`) uses; then launch.
fn pxelinux_launch(
    vm: &mut Machine,
    pl_name: &str,
    extra_opts: Option<&str>,
    dev: &str,
) -> TestResult {
    vm.require_netdev("user")?;
    vm.set_machine("s390-ccw-virtio")?;
    let debian_kernel = vm.env().fetch(&DEBIAN_KERNEL)?;
    let debian_initrd = vm.env().fetch(&DEBIAN_INITRD)?;
    let fedora_kernel = vm.env().fetch(&FEDORA_KERNEL)?;

    let tftp = vm.env().tftp_root("tftp")?;
    tftp.copy(&debian_kernel, "kernel.debian")?
        .copy(&debian_initrd, "initrd.debian")?
        .copy(&fedora_kernel, "kernel.fedora")?
        .write(&["pxelinux.cfg", pl_name], PXELINUX_CFG_CONTENTS)?;

    let mut virtio_net_dev = format!("{dev},netdev=n1,bootindex=1");
    if let Some(extra_opts) = extra_opts {
        virtio_net_dev = format!("{virtio_net_dev},{extra_opts}");
    }
    vm.args([
        "-m",
        "384",
        "-netdev",
        &tftp.netdev("n1"),
        "-device",
        &virtio_net_dev,
    ]);
    vm.set_console().launch()?;
    Ok(())
}

/// The guest uses the "default" file name.
fn do_test_default(vm: &mut Machine, dev: &str) -> TestResult {
    pxelinux_launch(vm, "default", None, dev)?;
    // The kernel prints its arguments: are the parameters handled?
    vm.console().wait_for("testoption=teststring")?;
    // And was the initrd loaded?
    vm.console().wait_for("Unpacking initramfs...")?;
    vm.console().wait_for("Run /init as init process")?;
    Ok(())
}

/// The guest uses a file name from its MAC address.
fn do_test_mac(vm: &mut Machine, dev: &str) -> TestResult {
    pxelinux_launch(
        vm,
        "01-02-ca-fe-ba-be-42",
        Some("mac=02:ca:fe:ba:be:42,loadparm=3"),
        dev,
    )?;
    vm.console()
        .wait_for("Linux version 5.3.7-301.fc31.s390x")?;
    Ok(())
}

/// The guest uses a file name from its UUID; a non-bootable disk first
/// checks the fallback to network boot.
fn do_test_uuid(vm: &mut Machine, dev: &str) -> TestResult {
    vm.args([
        "-blockdev",
        "null-co,size=65536,node-name=d1",
        "-device",
        "virtio-blk,drive=d1,bootindex=0,loadparm=1",
        "-uuid",
        "550e8400-e29b-11d4-a716-446655441234",
    ]);
    pxelinux_launch(vm, "550e8400-e29b-11d4-a716-446655441234", None, dev)?;
    vm.console().wait_for("Debian 4.19.146-1 (2020-09-17)")?;
    Ok(())
}

/// The guest uses a file name from its IP address.
fn do_test_ip(vm: &mut Machine, dev: &str) -> TestResult {
    vm.args(["-M", "loadparm=3"]);
    pxelinux_launch(vm, "0A00020F", None, dev)?;
    vm.console()
        .wait_for("Linux version 5.3.7-301.fc31.s390x")?;
    Ok(())
}

/// The boot menu works for pxelinux.cfg booting.
fn do_test_menu(vm: &mut Machine, dev: &str) -> TestResult {
    vm.args(["-boot", "menu=on,splash-time=10"]);
    pxelinux_launch(vm, "0A00", None, dev)?;
    let console = vm.console();
    console.wait_for("[1] Nonexisting")?;
    console.wait_for("[2] Debian")?;
    console.wait_for("[3] Fedora")?;
    console.wait_for("Debian 4.19.146-1 (2020-09-17)")?;
    Ok(())
}

#[qemu_test]
fn default_ccw(mut vm: Machine) -> TestResult {
    do_test_default(&mut vm, "virtio-net-ccw")
}

#[qemu_test]
fn default_pci(mut vm: Machine) -> TestResult {
    vm.require_device("virtio-net-pci")?;
    do_test_default(&mut vm, "virtio-net-pci")
}

#[qemu_test]
fn mac_ccw(mut vm: Machine) -> TestResult {
    do_test_mac(&mut vm, "virtio-net-ccw")
}

#[qemu_test]
fn mac_pci(mut vm: Machine) -> TestResult {
    vm.require_device("virtio-net-pci")?;
    do_test_mac(&mut vm, "virtio-net-pci")
}

#[qemu_test]
fn uuid_ccw(mut vm: Machine) -> TestResult {
    do_test_uuid(&mut vm, "virtio-net-ccw")
}

#[qemu_test]
fn uuid_pci(mut vm: Machine) -> TestResult {
    vm.require_device("virtio-net-pci")?;
    do_test_uuid(&mut vm, "virtio-net-pci")
}

#[qemu_test]
fn ip_ccw(mut vm: Machine) -> TestResult {
    do_test_ip(&mut vm, "virtio-net-ccw")
}

#[qemu_test]
fn ip_pci(mut vm: Machine) -> TestResult {
    vm.require_device("virtio-net-pci")?;
    do_test_ip(&mut vm, "virtio-net-pci")
}

#[qemu_test]
fn menu_ccw(mut vm: Machine) -> TestResult {
    do_test_menu(&mut vm, "virtio-net-ccw")
}

#[qemu_test]
fn menu_pci(mut vm: Machine) -> TestResult {
    vm.require_device("virtio-net-pci")?;
    do_test_menu(&mut vm, "virtio-net-pci")
}
