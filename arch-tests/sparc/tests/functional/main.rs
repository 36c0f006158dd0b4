//! Functional tests of qemu-system-sparc.

mod openbios;

qemu_fixtures::generic_tests!();
