//! Functional tests of qemu-system-alpha.

qemu_fixtures::generic_tests!();
