//! Functional tests of qemu-system-m68k.

mod baremetal;
mod quick;
mod thorough;

qemu_fixtures::generic_tests!();
