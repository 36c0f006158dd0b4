//! Functional tests of qemu-system-sh4.

mod baremetal;

qemu_fixtures::generic_tests!();
