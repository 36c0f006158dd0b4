//! Functional tests of qemu-system-arm.

mod edk2;
mod quick;
mod thorough;
mod uboot;

qemu_fixtures::generic_tests!();
