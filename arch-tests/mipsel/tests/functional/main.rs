//! Functional tests of qemu-system-mipsel.

mod uboot;

qemu_fixtures::generic_tests!();
