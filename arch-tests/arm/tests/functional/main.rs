//! Functional tests of qemu-system-arm.

mod edk2;
mod uboot;
mod thorough;

qemu_fixtures::generic_tests!();
