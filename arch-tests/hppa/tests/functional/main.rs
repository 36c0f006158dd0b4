//! Functional tests of qemu-system-hppa.

mod seabios_hppa;

qemu_fixtures::generic_tests!();
