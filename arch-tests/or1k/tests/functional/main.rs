//! Functional tests of qemu-system-or1k.

mod baremetal;

qemu_fixtures::generic_tests!();
