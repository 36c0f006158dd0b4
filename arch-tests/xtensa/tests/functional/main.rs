//! Functional tests of qemu-system-xtensa.

mod baremetal;

qemu_fixtures::generic_tests!();
