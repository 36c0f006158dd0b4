//! Functional tests of qemu-system-avr.

mod baremetal;
mod thorough;

qemu_fixtures::generic_tests!();
