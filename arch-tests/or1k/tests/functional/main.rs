//! Functional tests of qemu-system-or1k.

qemu_fixtures::generic_tests!();
