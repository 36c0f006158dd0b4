//! Functional tests of qemu-system-mips64.

#[path = "../../../mips/tests/functional/baremetal.rs"]
mod baremetal;
mod thorough;

qemu_fixtures::generic_tests!();
