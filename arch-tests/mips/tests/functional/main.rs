//! Functional tests of qemu-system-mips.

mod baremetal;

qemu_fixtures::generic_tests!();
