//! Port of QEMU's tests/functional/s390x/test_reverse_debug.py: gdb steps the s390-ccw-virtio firmware backwards in a replay and finds the same PCs.

use qemu_fixtures::prelude::*;
use reverse_debug::Endian;

#[qemu_test]
fn revdbg(mut vm: Machine) -> TestResult {
    vm.set_machine("s390-ccw-virtio")?;
    reverse_debug::reverse_debugging(&mut vm, "s390:64-bit", 6, &[&"-no-shutdown"], Endian::Big)
}
