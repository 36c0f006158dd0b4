//! Functional tests of qemu-system-aarch64.

mod edk2;
mod quick;
mod uboot;
mod thorough;

qemu_fixtures::generic_tests!();
