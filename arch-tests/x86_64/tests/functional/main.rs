//! Functional tests of qemu-system-x86_64.

mod ovmf;
mod quick;
mod seabios;
mod uboot;
mod thorough;

qemu_fixtures::generic_tests!();
