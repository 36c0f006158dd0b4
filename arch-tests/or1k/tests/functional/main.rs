//! Functional tests of qemu-system-or1k.

mod baremetal;
mod thorough;

qemu_fixtures::generic_tests!();
