//! Port of QEMU's tests/functional/aarch64/test_imx8mm_evk.py (read from patchew-project/qemu's copy: qemu/qemu's is not in the index): Debian's cloud image boots on imx8mm-evk from its uSDHC card.

use qemu_fixtures::prelude::*;

#[asset]
static IMAGE: Asset = Asset::new(
    "https://cloud.debian.org/images/cloud/bookworm/20231210-1590/debian-12-generic-arm64-20231210-1590.tar.xz",
    "7ebf1577b32d5af6204df74b54ca2e4675de9b5a9fa14f3ff70b88eeb7b3b359",
);

const KERNEL_OFFSET: u64 = 0x51000000;
const KERNEL_SIZE: u64 = 32622528;
const INITRD_OFFSET: u64 = 0x76000000;
const INITRD_SIZE: u64 = 30987766;
const DTB_OFFSET: u64 = 0x64DB5000;
const DTB_SIZE: u64 = 36812;

#[qemu_test]
fn aarch64_imx8mm_evk_usdhc(mut vm: Machine) -> TestResult {
    // Python's setUp: the kernel, initrd and dtb are cut out of the raw disk.
    let image = vm.env().archive_extract_all(&IMAGE)?.join("disk.raw");
    let kernel = vm.env().scratch_file(["linux"]);
    let initrd = vm.env().scratch_file(["initrd.zstd"]);
    let dtb = vm.env().scratch_file(["imx8mm-evk.dtb"]);
    linux::file_extract(&image, KERNEL_OFFSET, KERNEL_SIZE, &kernel)?;
    linux::file_extract(&image, INITRD_OFFSET, INITRD_SIZE, &initrd)?;
    linux::file_extract(&image, DTB_OFFSET, DTB_SIZE, &dtb)?;

    vm.require_accelerator("tcg")?;
    vm.set_machine("imx8mm-evk")?;
    vm.set_console_index(1);
    vm.args(["-m", "2G", "-smp", "4", "-kernel"]).arg(&kernel);
    vm.arg("-initrd").arg(&initrd).arg("-dtb").arg(&dtb);
    vm.args(["-append", "root=/dev/mmcblk2p1", "-drive"]);
    vm.arg(format!(
        "file={},if=sd,bus=2,format=raw,id=mmcblk2,snapshot=on",
        image.display()
    ));
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Welcome to ")?;
    Ok(())
}
