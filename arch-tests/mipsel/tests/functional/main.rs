//! Functional tests of qemu-system-mipsel.

mod thorough;
mod uboot;

qemu_fixtures::generic_tests!();
