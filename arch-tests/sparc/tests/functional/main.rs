//! Functional tests of qemu-system-sparc.

mod openbios;
mod quick;

qemu_fixtures::generic_tests!();
