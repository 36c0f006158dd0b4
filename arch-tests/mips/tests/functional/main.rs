//! Functional tests of qemu-system-mips.

qemu_fixtures::generic_tests!();
