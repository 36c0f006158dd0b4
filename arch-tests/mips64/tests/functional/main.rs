//! Functional tests of qemu-system-mips64.

qemu_fixtures::generic_tests!();
