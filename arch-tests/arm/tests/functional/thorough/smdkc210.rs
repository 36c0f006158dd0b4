//! Port of QEMU's tests/functional/arm/test_smdkc210.py: a Debian kernel with a cpio root boots on the Exynos4210 smdkc210.

use qemu_fixtures::prelude::*;

#[asset]
static DEB: Asset = Asset::new(
    "https://snapshot.debian.org/archive/debian/20190928T224601Z/pool/main/l/linux/linux-image-4.19.0-6-armmp_4.19.67-2+deb10u1_armhf.deb",
    "421804e7579ef40d554c962850dbdf1bfc79f7fa7faec9d391397170dc806c3e",
);

#[asset]
static ROOTFS: Asset = Asset::new(
    "https://github.com/groeck/linux-build-test/raw/2eb0a73b5d5a28df3170c546ddaaa9757e1e0848/rootfs/arm/rootfs-armv5.cpio.gz",
    "334b8d256db67a3f2b3ad070aa08b5ade39624e0e7e35b02f4359a577bc8f39b",
);

#[qemu_test]
fn arm_exynos4210_initrd(mut vm: Machine) -> TestResult {
    vm.set_machine("smdkc210")?;
    let kernel = vm
        .env()
        .archive_extract(&DEB, "boot/vmlinuz-4.19.0-6-armmp")?;
    let dtb = "usr/lib/linux-image-4.19.0-6-armmp/exynos4210-smdkv310.dtb";
    let dtb = vm.env().archive_extract(&DEB, dtb)?;
    let initrd = vm.env().uncompress(&ROOTFS)?;
    let kernel_command_line = format!(
        "{}earlycon=exynos4210,0x13800000 earlyprintk console=ttySAC0,115200n8 \
         random.trust_cpu=off cryptomgr.notests cpuidle.off=1 panic=-1 noreboot",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    vm.args(["-append", &kernel_command_line, "-no-reboot"]);
    vm.launch_kernel(&kernel, Some(&initrd), Some(&dtb), 0, None)?;
    linux::wait_for_console_pattern(&mut vm, "Boot successful.")?;
    // TODO user command, for now the uart is stuck
    Ok(())
}
