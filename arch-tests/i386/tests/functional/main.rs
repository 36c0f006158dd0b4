//! Functional tests of qemu-system-i386.

#[path = "../../../x86_64/tests/functional/seabios.rs"]
mod quick;
mod seabios;
mod thorough;
mod uboot;

qemu_fixtures::generic_tests!();
