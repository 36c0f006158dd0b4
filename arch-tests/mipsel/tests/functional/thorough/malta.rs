//! Port of QEMU's tests/functional/mipsel/test_malta.py: nanoMIPS kernels on the little-endian 32-bit Malta reach their command line, a wheezy image its login, and the YAMON ROM its prompt.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL_4K: Asset = Asset::new(
    "http://mipsdistros.mips.com/LinuxDistro/nanomips/kernels/v4.15.18-432-gb2eb9a8b07a1-20180627102142/generic_nano32r6el_page4k.xz",
    "019e034094ac6cf3aa77df5e130fb023ce4dbc804b04bfcc560c6403e1ae6bdb",
);
#[asset]
static KERNEL_16K: Asset = Asset::new(
    "http://mipsdistros.mips.com/LinuxDistro/nanomips/kernels/v4.15.18-432-gb2eb9a8b07a1-20180627102142/generic_nano32r6el_page16k_up.xz",
    "3a54a10b3108c16a448dca9ea3db378733a27423befc2a45a5bdf990bd85e12c",
);
#[asset]
static KERNEL_64K: Asset = Asset::new(
    "http://mipsdistros.mips.com/LinuxDistro/nanomips/kernels/v4.15.18-432-gb2eb9a8b07a1-20180627102142/generic_nano32r6el_page64k_dbg.xz",
    "ce21ff4b07a981ecb8a39db2876616f5a2473eb2ab459c6f67465b9914b0c6b6",
);

fn do_test_mips_malta32el_nanomips(vm: &mut Machine, kernel: &Asset) -> TestResult {
    let kernel_path = vm.env().uncompress(kernel)?;

    vm.set_machine("malta")?;
    vm.set_console();
    let kernel_command_line = format!(
        "{}mem=256m@@0x0 console=ttyS0",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    vm.args(["-cpu", "I7200", "-no-reboot", "-kernel"])
        .arg(&kernel_path);
    vm.args(["-append", &kernel_command_line]);
    vm.launch()?;
    let console_pattern = format!("Kernel command line: {kernel_command_line}");
    linux::wait_for_console_pattern(vm, &console_pattern)?;
    Ok(())
}

#[qemu_test]
fn mips_malta32el_nanomips_4k(mut vm: Machine) -> TestResult {
    do_test_mips_malta32el_nanomips(&mut vm, &KERNEL_4K)
}

#[qemu_test]
fn mips_malta32el_nanomips_16k_up(mut vm: Machine) -> TestResult {
    do_test_mips_malta32el_nanomips(&mut vm, &KERNEL_16K)
}

#[qemu_test]
fn mips_malta32el_nanomips_64k_dbg(mut vm: Machine) -> TestResult {
    do_test_mips_malta32el_nanomips(&mut vm, &KERNEL_64K)
}

#[asset]
static WHEEZY_KERNEL: Asset = Asset::new(
    "https://people.debian.org/~aurel32/qemu/mipsel/vmlinux-3.2.0-4-4kc-malta",
    "dc8a3648305b0201ca7a5cd135fe2890067a65d93c38728022bb0e656ad2bf9a",
);

#[asset]
static WHEEZY_DISK: Asset = Asset::new(
    "https://people.debian.org/~aurel32/qemu/mipsel/debian_wheezy_mipsel_standard.qcow2",
    "454f09ae39f7e6461c84727b927100d2c7813841f2a0a5dce328114887ecf914",
);

#[qemu_test]
fn wheezy(mut vm: Machine) -> TestResult {
    skip::flaky("https://gitlab.com/qemu-project/qemu/-/issues/3109")?;
    let wheezy = malta::Wheezy::new(
        "/boot/initrd.img-3.2.0-4-4kc-malta",
        "9fc9f250ed56a74e35e704ddfd5a1c5a5625adefc5c9da91f649288d3ca000f0",
    );
    malta::check_wheezy(&mut vm, &WHEEZY_KERNEL, &WHEEZY_DISK, wheezy)
}

#[asset]
static YAMON_ROM: Asset = Asset::new(
    "https://s3-eu-west-1.amazonaws.com/downloads-mips/mips-downloads/YAMON/yamon-bin-02.22.zip",
    "eef86f0eed0ef554f041dcd47b87eebea0e6f9f1184ed31f7e9e8b4a803860ab",
);

#[qemu_test]
fn mipsel_malta_yamon(mut vm: Machine) -> TestResult {
    malta::mipsel_malta_yamon(&mut vm, &YAMON_ROM)
}
