//! Functional tests of qemu-system-microblazeel.

qemu_fixtures::generic_tests!();
