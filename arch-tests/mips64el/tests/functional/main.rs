//! Functional tests of qemu-system-mips64el.

mod uboot;

qemu_fixtures::generic_tests!();
