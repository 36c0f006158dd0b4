//! Deliberate cases for the TAP runner and meson: ignored in a normal run,
//! run with `--ignored` by the tests of this binary.

use qemu_fixtures::prelude::*;

#[qemu_test]
#[ignore = "a case for the bridge tests"]
fn passes() -> TestResult {
    Ok(())
}

#[qemu_test]
#[ignore = "a case for the bridge tests"]
fn skips() -> TestResult {
    Err(Skip::new("deliberately skipped: nothing to run here").into())
}

#[qemu_test]
#[ignore = "a case for the bridge tests"]
fn fails(env: std::sync::Arc<TestEnv>) -> TestResult {
    env.log("failing on purpose");
    Err(TestError::check("deliberate failure for the bridge tests"))
}
