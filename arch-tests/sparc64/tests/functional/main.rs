//! Functional tests of qemu-system-sparc64.

mod openbios;
mod quick;

qemu_fixtures::generic_tests!();
