//! Functional tests of qemu-system-ppc.

mod openbios;
mod uboot;

qemu_fixtures::generic_tests!();
