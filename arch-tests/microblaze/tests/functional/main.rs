//! Functional tests of qemu-system-microblaze.

mod baremetal;

qemu_fixtures::generic_tests!();
