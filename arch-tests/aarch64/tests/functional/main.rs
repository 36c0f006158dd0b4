//! Functional tests of qemu-system-aarch64.

mod edk2;
mod linux_netboot;
mod uboot;

qemu_fixtures::generic_tests!();
