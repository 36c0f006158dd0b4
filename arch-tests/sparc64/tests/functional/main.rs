//! Functional tests of qemu-system-sparc64.

mod openbios;

qemu_fixtures::generic_tests!();
