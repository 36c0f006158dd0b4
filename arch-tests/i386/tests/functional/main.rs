//! Functional tests of qemu-system-i386.

mod seabios;
mod uboot;

qemu_fixtures::generic_tests!();
