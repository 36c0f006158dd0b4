//! Functional tests of qemu-system-ppc64.

mod quick;
mod slof;
mod thorough;

qemu_fixtures::generic_tests!();
