//! Functional tests of qemu-system-aarch64.

mod edk2;
mod quick;
mod thorough;
mod uboot;

qemu_fixtures::generic_tests!();
