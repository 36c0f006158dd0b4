//! Port of QEMU's tests/functional/mips64el/test_replay.py: Linux on malta, to its command line and with a 5KEc to a cpio rootfs's boot, recorded and replayed.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL_2_63_2: Asset = Asset::new(
    "http://snapshot.debian.org/archive/debian/20130217T032700Z/pool/main/l/linux-2.6/linux-image-2.6.32-5-5kc-malta_2.6.32-48_mipsel.deb",
    "35eb476f03be589824b0310358f1c447d85e645b88cbcd2ac02b97ef560f9f8d",
);

#[qemu_test]
fn replay_mips64el_malta(mut vm: Machine) -> TestResult {
    skip::flaky("https://gitlab.com/qemu-project/qemu/-/issues/2013")?;
    vm.set_machine("malta")?;
    let kernel_path = vm
        .env()
        .archive_extract(&KERNEL_2_63_2, "boot/vmlinux-2.6.32-5-5kc-malta")?;
    let kernel_command_line = format!("{}console=ttyS0", linux::KERNEL_COMMON_COMMAND_LINE);
    let console_pattern = format!("Kernel command line: {kernel_command_line}");
    vm.run_rr_with(&kernel_path, &kernel_command_line, &console_pattern, 5, &[])
}

#[asset]
static KERNEL_3_19_3: Asset = Asset::new(
    "https://github.com/philmd/qemu-testing-blob/raw/9ad2df38/mips/malta/mips64el/vmlinux-3.19.3.mtoman.20150408",
    "8d3beb003bc66051ead98e7172139017fcf9ce2172576541c57e86418dfa5ab8",
);

#[asset]
static CPIO_R1: Asset = Asset::new(
    "https://github.com/groeck/linux-build-test/raw/8584a59e/rootfs/mipsel64/rootfs.mipsel64r1.cpio.gz",
    "75ba10cd35fb44e32948eeb26974f061b703c81c4ba2fab1ebcacf1d1bec3b61",
);

#[qemu_test]
#[allow(non_snake_case)] // upstream's method name, kept
fn replay_mips64el_malta_5KEc_cpio(mut vm: Machine) -> TestResult {
    skip::untrusted()?;
    vm.set_machine("malta")?;
    vm.args(["-cpu", "5KEc"]);
    let kernel_path = vm.env().fetch(&KERNEL_3_19_3)?;
    let initrd_path = vm.env().uncompress(&CPIO_R1)?;
    malta::replay_malta_cpio(&mut vm, &kernel_path, &initrd_path)
}
