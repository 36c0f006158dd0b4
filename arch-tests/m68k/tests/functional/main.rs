//! Functional tests of qemu-system-m68k.

mod baremetal;

qemu_fixtures::generic_tests!();
