//! Functional tests of qemu-system-x86_64.

mod ovmf;
mod quick;
mod seabios;
mod thorough;
mod uboot;

qemu_fixtures::generic_tests!();
