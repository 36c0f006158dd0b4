//! Functional tests of qemu-system-aarch64.

qemu_fixtures::generic_tests!();
