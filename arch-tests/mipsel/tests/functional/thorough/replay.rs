//! Port of QEMU's tests/functional/mipsel/test_replay.py: nanoMIPS kernels on malta with an I7200, recorded and replayed to their command line.

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

fn do_test_replay_mips_malta32el_nanomips(vm: &mut Machine, kernel_asset: &Asset) -> TestResult {
    vm.set_machine("malta")?;
    vm.args(["-cpu", "I7200"]);
    let kernel_path = vm.env().uncompress(kernel_asset)?;
    let kernel_command_line = format!(
        "{}mem=256m@@0x0 console=ttyS0",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    let console_pattern = format!("Kernel command line: {kernel_command_line}");
    vm.run_rr_with(&kernel_path, &kernel_command_line, &console_pattern, 5, &[])
}

#[qemu_test]
fn replay_mips_malta32el_nanomips_4k(mut vm: Machine) -> TestResult {
    skip::slow()?;
    do_test_replay_mips_malta32el_nanomips(&mut vm, &KERNEL_4K)
}

#[qemu_test]
fn replay_mips_malta32el_nanomips_16k_up(mut vm: Machine) -> TestResult {
    skip::slow()?;
    do_test_replay_mips_malta32el_nanomips(&mut vm, &KERNEL_16K)
}

#[qemu_test]
fn replay_mips_malta32el_nanomips_64k_dbg(mut vm: Machine) -> TestResult {
    skip::slow()?;
    do_test_replay_mips_malta32el_nanomips(&mut vm, &KERNEL_64K)
}
