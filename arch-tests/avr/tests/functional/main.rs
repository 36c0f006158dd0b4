//! Functional tests of qemu-system-avr.

qemu_fixtures::generic_tests!();
