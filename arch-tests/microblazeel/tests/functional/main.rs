//! Functional tests of qemu-system-microblazeel.

#[path = "../../../microblaze/tests/functional/baremetal.rs"]
mod baremetal;
mod thorough;

qemu_fixtures::generic_tests!();
