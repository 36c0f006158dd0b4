//! Functional tests of qemu-system-arm.

mod canon_a1100;
mod edk2;
mod linux_netboot;
mod uboot;

qemu_fixtures::generic_tests!();
