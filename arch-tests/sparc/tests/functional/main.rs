//! Functional tests of qemu-system-sparc.

mod openbios;
mod quick;
mod thorough;

qemu_fixtures::generic_tests!();
