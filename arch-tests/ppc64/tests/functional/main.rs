//! Functional tests of qemu-system-ppc64.

qemu_fixtures::generic_tests!();
