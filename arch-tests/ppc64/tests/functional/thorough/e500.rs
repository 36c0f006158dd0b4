//! Port of QEMU's tests/functional/ppc64/test_e500.py: a buildroot uImage boots on ppce500 with an e5500 CPU from a virtio root disk, logs in and powers off.

use qemu_fixtures::prelude::*;

#[asset]
static BR2_E5500_UIMAGE: Asset = Asset::new(
    "https://github.com/legoater/qemu-ppc-boot/raw/refs/heads/main/buildroot/qemu_ppc64_e5500-2023.11-8-gdcd9f0f6eb-20240104/uImage",
    "2478187c455d6cca3984e9dfde9c635d824ea16236b85fd6b4809f744706deda",
);

#[asset]
static BR2_E5500_ROOTFS: Asset = Asset::new(
    "https://github.com/legoater/qemu-ppc-boot/raw/refs/heads/main//buildroot/qemu_ppc64_e5500-2023.11-8-gdcd9f0f6eb-20240104/rootfs.ext2",
    "9035ef97237c84c7522baaff17d25cdfca4bb7a053d5e296e902919473423d76",
);

#[qemu_test]
fn ppc64_e500_buildroot(mut vm: Machine) -> TestResult {
    vm.set_machine("ppce500")?;
    vm.require_netdev("user")?;
    vm.args(["-cpu", "e5500"]);
    let uimage_path = vm.env().fetch(&BR2_E5500_UIMAGE)?;
    let rootfs_path = vm.env().fetch(&BR2_E5500_ROOTFS)?;
    vm.set_console();
    vm.arg("-kernel").arg(&uimage_path).args([
        "-append",
        "root=/dev/vda",
        "-drive",
        &format!("file={},if=virtio,format=raw", rootfs_path.display()),
        "-snapshot",
        "-no-shutdown",
    ]);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Linux version")?;
    linux::wait_for_console_pattern(&mut vm, "/init as init process")?;
    linux::wait_for_console_pattern(&mut vm, "lease of 10.0.2.15")?;
    linux::wait_for_console_pattern(&mut vm, "buildroot login:")?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern("root", "#", None)?;
    console.exec_command_and_wait_for_pattern("poweroff", "Power down", None)?;
    Ok(())
}
