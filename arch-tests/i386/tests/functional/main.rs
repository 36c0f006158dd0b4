//! Functional tests of qemu-system-i386.

qemu_fixtures::generic_tests!();
