//! Functional tests of qemu-system-mipsel.

mod linux_netboot;
mod uboot;

qemu_fixtures::generic_tests!();
