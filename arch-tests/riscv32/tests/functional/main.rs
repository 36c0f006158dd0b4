//! Functional tests of qemu-system-riscv32.

mod quick;
mod thorough;

qemu_fixtures::generic_tests!();
