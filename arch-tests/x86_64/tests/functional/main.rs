//! Functional tests of qemu-system-x86_64.

mod seabios;
mod uboot;

qemu_fixtures::generic_tests!();
