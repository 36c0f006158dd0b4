//! Functional tests of qemu-system-ppc.

qemu_fixtures::generic_tests!();
