//! Port of QEMU's tests/functional/generic/test_vmstate.py on s390x: machine s390-ccw-virtio-7.2's vmstate against QEMU 7.2's reference data.

use qemu_fixtures::prelude::*;

#[qemu_test]
fn vmstate_7_2(vm: Machine) -> TestResult {
    qemu_fixtures::generic::vmstate::vmstate_7_2(vm)
}
