//! Functional tests of qemu-system-tricore.

qemu_fixtures::generic_tests!();
