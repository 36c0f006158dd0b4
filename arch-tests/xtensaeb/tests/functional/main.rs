//! Functional tests of qemu-system-xtensaeb.

qemu_fixtures::generic_tests!();
