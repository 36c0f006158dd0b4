//! Functional tests of qemu-system-i386.

mod linux_netboot;
#[path = "../../../x86_64/tests/functional/seabios.rs"]
mod seabios;
mod uboot;

qemu_fixtures::generic_tests!();
