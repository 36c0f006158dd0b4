//! Functional tests of qemu-system-hppa.

mod quick;
mod seabios_hppa;
mod thorough;

qemu_fixtures::generic_tests!();
