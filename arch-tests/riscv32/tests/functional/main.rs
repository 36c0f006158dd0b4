//! Functional tests of qemu-system-riscv32.

mod opensbi;
mod quick;
mod thorough;

qemu_fixtures::generic_tests!();
