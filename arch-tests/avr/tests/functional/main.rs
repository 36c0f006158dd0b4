//! Functional tests of qemu-system-avr.

mod baremetal;

qemu_fixtures::generic_tests!();
