//! rstest fixtures that tie the library together: a test names what it
//! needs as arguments and gets it with logs, scratch and kill-on-drop
//! already set up.

use std::sync::Arc;

use rstest::fixture;

use crate::machine::Machine;
use crate::testenv::TestEnv;

/// The test's first QEMU, of the test crate's target, not yet launched.
#[fixture]
pub fn vm() -> Machine {
    Machine::new(TestEnv::current(), "")
}

/// The test's files and base.log, for tests that start no QEMU.
#[fixture]
pub fn env() -> Arc<TestEnv> {
    TestEnv::current()
}
