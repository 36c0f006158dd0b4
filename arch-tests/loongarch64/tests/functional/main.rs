//! Functional tests of qemu-system-loongarch64.

mod baremetal;
mod thorough;

qemu_fixtures::generic_tests!();
