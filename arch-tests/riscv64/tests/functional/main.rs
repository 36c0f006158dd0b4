//! Functional tests of qemu-system-riscv64.

mod opensbi;
mod quick;
mod uboot;

qemu_fixtures::generic_tests!();
