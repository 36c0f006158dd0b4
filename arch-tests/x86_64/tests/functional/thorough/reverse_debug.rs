//! Port of QEMU's tests/functional/x86_64/test_reverse_debug.py: gdb steps the BIOS of pc backwards in a replay.

use qemu_fixtures::prelude::*;
use reverse_debug::Endian;

#[qemu_test]
fn x86_64_pc(mut vm: Machine) -> TestResult {
    skip::flaky("https://gitlab.com/qemu-project/qemu/-/issues/2922")?;
    vm.set_machine("pc")?;
    // start with BIOS only
    reverse_debug::reverse_debugging(&mut vm, "x86-64", 7, &[], Endian::Default)
}
