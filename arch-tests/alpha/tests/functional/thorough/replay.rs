//! Port of QEMU's tests/functional/alpha/test_replay.py: a Debian installer kernel on clipper, recorded and replayed to its command line.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "http://archive.debian.org/debian/dists/lenny/main/installer-alpha/20090123lenny10/images/cdrom/vmlinuz",
    "34f53da3fa32212e4f00b03cb944b2ad81c06bc8faaf9b7193b2e544ceeca576",
);

#[qemu_test]
fn clipper(mut vm: Machine) -> TestResult {
    vm.set_machine("clipper")?;
    let kernel_path = vm.env().uncompress_as(&KERNEL, Compression::Gzip)?;
    let kernel_command_line = format!("{}console=ttyS0", linux::KERNEL_COMMON_COMMAND_LINE);
    let console_pattern = format!("Kernel command line: {kernel_command_line}");
    vm.run_rr_with(
        &kernel_path,
        &kernel_command_line,
        &console_pattern,
        9,
        &[&"-nodefaults"],
    )
}
