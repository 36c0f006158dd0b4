//! Functional tests of qemu-system-loongarch64.

qemu_fixtures::generic_tests!();
