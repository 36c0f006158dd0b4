//! Functional tests of qemu-system-x86_64.

qemu_fixtures::generic_tests!();
