//! Functional tests of qemu-system-riscv32.

qemu_fixtures::generic_tests!();
