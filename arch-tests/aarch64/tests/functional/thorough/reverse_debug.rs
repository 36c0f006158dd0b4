//! Port of QEMU's tests/functional/aarch64/test_reverse_debug.py: gdb steps a Fedora kernel on virt backwards in a replay.

use qemu_fixtures::prelude::*;
use reverse_debug::Endian;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/29/Everything/aarch64/os/images/pxeboot/vmlinuz",
    "7e1430b81c26bdd0da025eeb8fbd77b5dc961da4364af26e771bd39f379cbbf7",
);

#[qemu_test]
fn aarch64_virt(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    vm.args(["-cpu", "cortex-a53"]);
    let kernel_path = vm.env().fetch(&KERNEL)?;
    reverse_debug::reverse_debugging(
        &mut vm,
        "aarch64",
        7,
        &[&"-kernel", &kernel_path],
        Endian::Default,
    )
}
