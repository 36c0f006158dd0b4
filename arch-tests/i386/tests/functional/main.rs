//! Functional tests of qemu-system-i386.

mod quick;
#[path = "../../../x86_64/tests/functional/seabios.rs"]
mod seabios;
mod thorough;
mod uboot;

qemu_fixtures::generic_tests!();
