//! Functional tests of qemu-system-microblazeel.

#[path = "../../../microblaze/tests/functional/baremetal.rs"]
mod baremetal;

qemu_fixtures::generic_tests!();
