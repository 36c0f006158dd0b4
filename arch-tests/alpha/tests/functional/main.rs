//! Functional tests of qemu-system-alpha.

mod palcode;

qemu_fixtures::generic_tests!();
