//! Functional tests of qemu-system-xtensa.

qemu_fixtures::generic_tests!();
