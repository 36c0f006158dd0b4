//! Functional tests of qemu-system-arm.

mod uboot;

qemu_fixtures::generic_tests!();
