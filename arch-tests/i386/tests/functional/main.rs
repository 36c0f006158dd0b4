//! Functional tests of qemu-system-i386.

#[path = "../../../x86_64/tests/functional/seabios.rs"]
mod seabios;
mod uboot;
mod thorough;

qemu_fixtures::generic_tests!();
