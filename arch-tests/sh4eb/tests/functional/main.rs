//! Functional tests of qemu-system-sh4eb.

qemu_fixtures::generic_tests!();
