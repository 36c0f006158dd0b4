//! Functional tests of qemu-system-x86_64.

mod asset_mirror;
mod linux_deb;
mod linux_netboot;
mod ovmf;
mod seabios;
mod uboot;

qemu_fixtures::generic_tests!();
