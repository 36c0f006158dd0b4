//! Port of QEMU's tests/functional/arm/test_replay.py: Linux on virt and cubieboard, and the advent calendar on vexpress-a9, recorded and replayed.

use qemu_fixtures::prelude::*;

#[asset]
static VIRT: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/29/Everything/armhfp/os/images/pxeboot/vmlinuz",
    "18dd5f1a9a28bd539f9d047f7c0677211bae528e8712b40ca5a229a4ad8e2591",
);

#[qemu_test]
fn virt(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    let kernel_path = vm.env().fetch(&VIRT)?;
    let kernel_command_line = format!("{}console=ttyAMA0", linux::KERNEL_COMMON_COMMAND_LINE);
    let console_pattern = "VFS: Cannot open root device";
    vm.run_rr_with(&kernel_path, &kernel_command_line, console_pattern, 1, &[])
}

#[asset]
static CUBIE_KERNEL: Asset = Asset::new(
    "https://apt.armbian.com/pool/main/l/linux-6.6.16/linux-image-current-sunxi_24.2.1_armhf__6.6.16-Seb3e-D6b4a-P2359-Ce96bHfe66-HK01ba-V014b-B067e-R448a.deb",
    "3d968c15b121ede871dce49d13ee7644d6f74b6b121b84c9a40f51b0c80d6d22",
);

#[asset]
static CUBIE_INITRD: Asset = Asset::new(
    "https://github.com/groeck/linux-build-test/raw/2eb0a73b5d5a28df3170c546ddaaa9757e1e0848/rootfs/arm/rootfs-armv5.cpio.gz",
    "334b8d256db67a3f2b3ad070aa08b5ade39624e0e7e35b02f4359a577bc8f39b",
);

#[qemu_test]
fn cubieboard(mut vm: Machine) -> TestResult {
    vm.set_machine("cubieboard")?;
    let kernel_path = vm
        .env()
        .archive_extract(&CUBIE_KERNEL, "boot/vmlinuz-6.6.16-current-sunxi")?;
    let dtb_path = vm.env().archive_extract(
        &CUBIE_KERNEL,
        "usr/lib/linux-image-6.6.16-current-sunxi/sun4i-a10-cubieboard.dtb",
    )?;
    let initrd_path = vm.env().uncompress(&CUBIE_INITRD)?;
    let kernel_command_line = format!(
        "{}console=ttyS0,115200 usbcore.nousb panic=-1 noreboot",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    let console_pattern = "Boot successful.";
    let args: &[&dyn AsRef<std::ffi::OsStr>] =
        &[&"-dtb", &dtb_path, &"-initrd", &initrd_path, &"-no-reboot"];
    vm.run_rr_with(&kernel_path, &kernel_command_line, console_pattern, 1, args)
}

#[asset]
static DAY16: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day16.tar.xz",
    "63311adb2d4c4e7a73214a86d29988add87266a909719c56acfadd026b4110a7",
);

#[qemu_test]
fn vexpressa9(mut vm: Machine) -> TestResult {
    vm.set_machine("vexpress-a9")?;
    let day16 = vm.env().archive_extract_all(&DAY16)?;
    let kernel_path = day16.join("day16").join("winter.zImage");
    let dtb_path = day16.join("day16").join("vexpress-v2p-ca9.dtb");
    vm.run_rr_with(
        &kernel_path,
        replay::REPLAY_KERNEL_COMMAND_LINE,
        "QEMU advent calendar",
        7,
        &[&"-dtb", &dtb_path],
    )
}
