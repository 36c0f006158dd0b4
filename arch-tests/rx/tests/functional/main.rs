//! Functional tests of qemu-system-rx.

mod thorough;

qemu_fixtures::generic_tests!();
