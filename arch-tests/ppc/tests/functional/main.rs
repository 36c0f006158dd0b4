//! Functional tests of qemu-system-ppc.

mod openbios;
mod quick;
mod thorough;
mod uboot;

qemu_fixtures::generic_tests!();
