//! Functional tests of qemu-system-riscv64.

mod opensbi;
mod uboot;

qemu_fixtures::generic_tests!();
