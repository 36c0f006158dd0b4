//! Functional tests of qemu-system-mipsel.

qemu_fixtures::generic_tests!();
