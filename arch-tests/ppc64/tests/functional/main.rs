//! Functional tests of qemu-system-ppc64.

mod slof;
mod thorough;

qemu_fixtures::generic_tests!();
