//! Functional tests of qemu-system-ppc64.

mod slof;

qemu_fixtures::generic_tests!();
