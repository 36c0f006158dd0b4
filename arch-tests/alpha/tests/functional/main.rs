//! Functional tests of qemu-system-alpha.

mod palcode;
mod quick;
mod thorough;

qemu_fixtures::generic_tests!();
