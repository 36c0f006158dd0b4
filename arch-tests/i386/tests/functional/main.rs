//! Functional tests of qemu-system-i386.

mod linux_netboot;
mod seabios;
mod uboot;

qemu_fixtures::generic_tests!();
