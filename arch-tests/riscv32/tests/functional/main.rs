//! Functional tests of qemu-system-riscv32.

mod opensbi;

qemu_fixtures::generic_tests!();
