//! Functional tests of qemu-system-mips64el.

mod uboot;
mod thorough;

qemu_fixtures::generic_tests!();
