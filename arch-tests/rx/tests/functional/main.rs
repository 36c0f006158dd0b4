//! Functional tests of qemu-system-rx.

qemu_fixtures::generic_tests!();
