//! Functional tests of qemu-system-sparc64.

qemu_fixtures::generic_tests!();
