//! Functional tests of qemu-system-riscv64.

qemu_fixtures::generic_tests!();
