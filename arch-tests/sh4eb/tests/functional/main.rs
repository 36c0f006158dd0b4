//! Functional tests of qemu-system-sh4eb.

#[path = "../../../sh4/tests/functional/baremetal.rs"]
mod baremetal;
mod thorough;

qemu_fixtures::generic_tests!();
