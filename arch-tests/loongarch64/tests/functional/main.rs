//! Functional tests of qemu-system-loongarch64.

mod baremetal;

qemu_fixtures::generic_tests!();
