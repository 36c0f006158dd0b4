//! Functional tests of qemu-system-microblaze.

qemu_fixtures::generic_tests!();
