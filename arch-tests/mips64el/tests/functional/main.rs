//! Functional tests of qemu-system-mips64el.

qemu_fixtures::generic_tests!();
