//! Functional tests of qemu-system-sparc64.

mod openbios;
mod quick;
mod thorough;

qemu_fixtures::generic_tests!();
