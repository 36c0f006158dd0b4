//! Functional tests of qemu-system-ppc.

mod openbios;
mod quick;
mod uboot;
mod thorough;

qemu_fixtures::generic_tests!();
