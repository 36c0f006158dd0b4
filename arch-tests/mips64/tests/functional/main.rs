//! Functional tests of qemu-system-mips64.

#[path = "../../../mips/tests/functional/baremetal.rs"]
mod baremetal;

qemu_fixtures::generic_tests!();
