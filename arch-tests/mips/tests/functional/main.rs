//! Functional tests of qemu-system-mips.

mod baremetal;
mod thorough;

qemu_fixtures::generic_tests!();
