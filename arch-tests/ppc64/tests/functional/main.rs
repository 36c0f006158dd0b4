//! Functional tests of qemu-system-ppc64.

mod linux_netboot;
mod slof;

qemu_fixtures::generic_tests!();
