//! Functional tests of qemu-system-riscv64.

mod opensbi;
mod quick;
mod uboot;
mod thorough;

qemu_fixtures::generic_tests!();
