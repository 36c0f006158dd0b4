//! Functional tests of qemu-system-mipsel.

mod uboot;
mod thorough;

qemu_fixtures::generic_tests!();
