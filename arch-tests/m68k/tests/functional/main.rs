//! Functional tests of qemu-system-m68k.

qemu_fixtures::generic_tests!();
