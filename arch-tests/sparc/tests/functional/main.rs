//! Functional tests of qemu-system-sparc.

qemu_fixtures::generic_tests!();
