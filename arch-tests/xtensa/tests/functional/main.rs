//! Functional tests of qemu-system-xtensa.

mod baremetal;
mod thorough;

qemu_fixtures::generic_tests!();
