//! Functional tests of qemu-system-hexagon.

mod thorough;

qemu_fixtures::generic_tests!();
