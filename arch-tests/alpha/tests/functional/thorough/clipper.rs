//! Port of QEMU's tests/functional/alpha/test_clipper.py: a Debian lenny kernel on clipper prints its command line.

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "http://archive.debian.org/debian/dists/lenny/main/installer-alpha/20090123lenny10/images/cdrom/vmlinuz",
    "34f53da3fa32212e4f00b03cb944b2ad81c06bc8faaf9b7193b2e544ceeca576",
);

#[qemu_test]
fn alpha_clipper(mut vm: Machine) -> TestResult {
    vm.set_machine("clipper")?;
    let uncompressed_kernel = vm.env().uncompress_as(&KERNEL, Compression::Gzip)?;
    vm.set_console();
    let kernel_command_line = format!("{}console=ttyS0", linux::KERNEL_COMMON_COMMAND_LINE);
    vm.arg("-nodefaults")
        .arg("-kernel")
        .arg(&uncompressed_kernel);
    vm.args(["-append", &kernel_command_line]);
    vm.launch()?;
    let console_pattern = format!("Kernel command line: {kernel_command_line}");
    linux::wait_for_console_pattern(&mut vm, &console_pattern)?;
    Ok(())
}
