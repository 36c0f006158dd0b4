//! Functional tests of qemu-system-mips64el.

mod thorough;
mod uboot;

qemu_fixtures::generic_tests!();
