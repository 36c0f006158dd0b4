//! Functional tests of qemu-system-hppa.

mod quick;
mod seabios_hppa;

qemu_fixtures::generic_tests!();
