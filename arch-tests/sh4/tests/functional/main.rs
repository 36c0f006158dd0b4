//! Functional tests of qemu-system-sh4.

mod baremetal;
mod thorough;

qemu_fixtures::generic_tests!();
