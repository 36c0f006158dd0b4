//! Port of QEMU's tests/functional/mips/test_replay.py: Debian kernels on malta, recorded and replayed to the command line and to a cpio rootfs's boot.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL_2_63_2: Asset = Asset::new(
    "http://snapshot.debian.org/archive/debian/20130217T032700Z/pool/main/l/linux-2.6/linux-image-2.6.32-5-4kc-malta_2.6.32-48_mips.deb",
    "16ca524148afb0626f483163e5edf352bc1ab0e4fc7b9f9d473252762f2c7a43",
);

#[qemu_test]
fn replay_mips_malta(mut vm: Machine) -> TestResult {
    vm.set_machine("malta")?;
    let kernel_path = vm
        .env()
        .archive_extract(&KERNEL_2_63_2, "boot/vmlinux-2.6.32-5-4kc-malta")?;
    let kernel_command_line = format!("{}console=ttyS0", linux::KERNEL_COMMON_COMMAND_LINE);
    let console_pattern = format!("Kernel command line: {kernel_command_line}");
    vm.run_rr_with(&kernel_path, &kernel_command_line, &console_pattern, 5, &[])
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
fn replay_mips_malta_cpio(mut vm: Machine) -> TestResult {
    skip::slow()?;
    vm.set_machine("malta")?;
    let kernel_path = vm
        .env()
        .archive_extract(&KERNEL_4_5_0, "boot/vmlinux-4.5.0-2-4kc-malta")?;
    let initrd_path = vm.env().uncompress(&INITRD)?;
    malta::replay_malta_cpio(&mut vm, &kernel_path, &initrd_path)
}
