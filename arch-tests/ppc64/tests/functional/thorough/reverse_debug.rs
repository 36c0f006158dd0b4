//! Port of QEMU's tests/functional/ppc64/test_reverse_debug.py: gdb steps SLOF and skiboot backwards in a replay on pseries and powernv.

use qemu_fixtures::prelude::*;
use reverse_debug::Endian;

#[qemu_test]
fn ppc64_pseries(mut vm: Machine) -> TestResult {
    skip::flaky("https://gitlab.com/qemu-project/qemu/-/issues/1992")?;
    vm.set_machine("pseries")?;
    // SLOF branches back to its entry point, which makes this test take
    // the 'hit a breakpoint again' path: not a problem.
    reverse_debug::reverse_debugging(&mut vm, "powerpc:common64", 7, &[], Endian::Default)
}

#[qemu_test]
fn ppc64_powernv(mut vm: Machine) -> TestResult {
    skip::flaky("https://gitlab.com/qemu-project/qemu/-/issues/1992")?;
    vm.set_machine("powernv")?;
    reverse_debug::reverse_debugging(&mut vm, "powerpc:common64", 7, &[], Endian::Default)
}
