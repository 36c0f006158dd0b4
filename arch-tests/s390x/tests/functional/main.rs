//! Functional tests of qemu-system-s390x.

qemu_fixtures::generic_tests!();
