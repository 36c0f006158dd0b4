//! Functional tests of qemu-system-s390x.

mod quick;
mod s390_ccw;
mod thorough;

qemu_fixtures::generic_tests!();
