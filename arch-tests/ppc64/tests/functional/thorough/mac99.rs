//! Port of QEMU's tests/functional/ppc64/test_mac99.py: OpenBIOS starts a buildroot kernel on mac99 with a PPC970, which brings up its gem link, logs in and powers off.

use qemu_fixtures::prelude::*;

#[asset]
static BR2_MAC99_LINUX: Asset = Asset::new(
    "https://github.com/legoater/qemu-ppc-boot/raw/refs/heads/main/buildroot/qemu_ppc64_mac99-2023.11-8-gdcd9f0f6eb-20240105/vmlinux",
    "d59307437e4365f2cced0bbd1b04949f7397b282ef349b7cafd894d74aadfbff",
);

#[asset]
static BR2_MAC99_ROOTFS: Asset = Asset::new(
    "https://github.com/legoater/qemu-ppc-boot/raw/refs/heads/main/buildroot/qemu_ppc64_mac99-2023.11-8-gdcd9f0f6eb-20240105/rootfs.ext2",
    "bbd5fd8af62f580bc4e585f326fe584e22856572633a8333178ea6d4ed4955a4",
);

#[qemu_test]
fn ppc64_mac99_buildroot(mut vm: Machine) -> TestResult {
    vm.set_machine("mac99")?;
    let linux_path = vm.env().fetch(&BR2_MAC99_LINUX)?;
    let rootfs_path = vm.env().fetch(&BR2_MAC99_ROOTFS)?;
    vm.set_console();
    // -nographic puts the serial console where the test reads it.
    vm.arg("-kernel").arg(&linux_path).args([
        "-append",
        "root=/dev/sda",
        "-drive",
        &format!("file={},format=raw", rootfs_path.display()),
        "-snapshot",
        "-nographic",
    ]);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, ">> OpenBIOS")?;
    linux::wait_for_console_pattern(&mut vm, "Linux version")?;
    linux::wait_for_console_pattern(&mut vm, "/init as init process")?;
    linux::wait_for_console_pattern(&mut vm, "gem 0000:f0:0e.0 eth0: Link is up at 100 Mbps")?;
    linux::wait_for_console_pattern(&mut vm, "buildroot login:")?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern("root", "#", None)?;
    console.exec_command_and_wait_for_pattern("poweroff", "Power down", None)?;
    Ok(())
}
