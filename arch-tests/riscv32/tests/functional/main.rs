//! Functional tests of qemu-system-riscv32.

mod opensbi;
mod quick;

qemu_fixtures::generic_tests!();
