//! Functional tests of qemu-system-microblaze.

mod baremetal;
mod thorough;

qemu_fixtures::generic_tests!();
