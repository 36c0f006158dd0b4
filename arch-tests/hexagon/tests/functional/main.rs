//! Functional tests of qemu-system-hexagon.

qemu_fixtures::generic_tests!();
