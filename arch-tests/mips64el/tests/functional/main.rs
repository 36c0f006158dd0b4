//! Functional tests of qemu-system-mips64el.

mod linux_netboot;
mod uboot;

qemu_fixtures::generic_tests!();
