//! Functional tests of qemu-system-hppa.

qemu_fixtures::generic_tests!();
