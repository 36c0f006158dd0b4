//! Functional tests of qemu-system-arm.

qemu_fixtures::generic_tests!();
