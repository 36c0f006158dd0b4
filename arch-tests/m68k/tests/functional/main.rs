//! Functional tests of qemu-system-m68k.

mod baremetal;
mod quick;

qemu_fixtures::generic_tests!();
