//! Port of QEMU's tests/functional/generic/test_vmstate.py on aarch64: machine virt-7.2's vmstate against QEMU 7.2's reference data.

use qemu_fixtures::prelude::*;

#[qemu_test]
fn vmstate_7_2(vm: Machine) -> TestResult {
    qemu_fixtures::generic::vmstate::vmstate_7_2(vm)
}
