//! Functional tests of qemu-system-sh4.

qemu_fixtures::generic_tests!();
