//! Functional tests of qemu-system-riscv64.

mod quick;
mod thorough;
mod uboot;

qemu_fixtures::generic_tests!();
