//! The shared migration tests under a crashing QEMU: a signal is a failure,
//! and the known hppa B160L segfault of QEMU 10.0.2 an expected failure.
//! The scenarios are the shared tests themselves, run by a child process
//! as target hppa; this module is named `migration` so their names are
//! those the known-failures table matches (`migration::*`).

use std::os::unix::fs::PermissionsExt;

use qemu_fixtures::harness::outcome::{Record, read_records, results_root};
use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::{QemuVersion, find_command, probes};

use crate::support::ignored_test_command;

#[qemu_test]
#[ignore = "a scenario: migration::* run it as target hppa"]
fn tcp_localhost(vm: Machine) -> TestResult {
    qemu_fixtures::generic::migration::tcp_localhost(vm)
}

#[qemu_test]
#[ignore = "a scenario: migration::* run it as target hppa"]
fn unix_socket(vm: Machine) -> TestResult {
    qemu_fixtures::generic::migration::unix_socket(vm)
}

/// Before: QEMU killed by SIGSEGV on a "held" default machine was a skip.
/// A QEMU release no row covers (the wrapper says 9.9.9) leaves it a
/// failure that names the signal.
#[qemu_test]
fn a_qemu_killed_by_a_signal_while_migrating_fails(env: std::sync::Arc<TestEnv>) -> TestResult {
    let hppa = require_hppa_with_the_bug()?;
    let wrapper = env.scratch_file(["qemu-system-hppa"]);
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\n\
             if [ \"$1\" = --version ]; then echo 'QEMU emulator version 9.9.9'; exit 0; fi\n\
             exec '{}' \"$@\"\n",
            hppa.display()
        ),
    )
    .map_err(|err| TestError::io("writing the wrapper", err))?;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))
        .map_err(|err| TestError::io("chmod the wrapper", err))?;
    let (success, record) = run_as_hppa(
        &env,
        "migration::unix_socket",
        &[("QEMU_TEST_QEMU_BINARY", wrapper.to_str().expect("utf-8"))],
    )?;
    ensure!(!success, "the test passed: {record:?}");
    ensure!(
        record.verdict == "fail" && record.message.contains("SIGSEGV"),
        "expected a failure naming SIGSEGV, got {record:?}"
    );
    Ok(())
}

/// The same crash on the release the table names is an expected failure
/// with the row's URL, and does not fail the run.
#[qemu_test]
fn hppa_migration_segfault_of_10_0_2_is_an_expected_failure(
    env: std::sync::Arc<TestEnv>,
) -> TestResult {
    require_hppa_with_the_bug()?;
    let (success, record) = run_as_hppa(&env, "migration::tcp_localhost", &[])?;
    ensure!(success, "an expected failure failed the run: {record:?}");
    ensure!(
        record.verdict == "xfail"
            && record
                .message
                .starts_with("known failure: https://gitlab.com/qemu-project/qemu/")
            && record.message.contains("SIGSEGV"),
        "expected an xfail naming the issue and the signal, got {record:?}"
    );
    Ok(())
}

/// qemu-system-hppa of the release whose B160L migration segfaults; a skip
/// elsewhere, since these tests need that real crash.
fn require_hppa_with_the_bug() -> Result<std::path::PathBuf, TestError> {
    let hppa = find_command("qemu-system-hppa")
        .ok_or_else(|| Skip::new("needs qemu-system-hppa on PATH"))?;
    let version = probes::qemu_version(&hppa).map_err(|err| TestError::check(err.to_string()))?;
    let buggy = QemuVersion::parse("10.0.2").expect("a version");
    if version != buggy {
        return Err(Skip::new(format!(
            "needs qemu-system-hppa {buggy}, whose B160L migration segfaults; this is {version}"
        ))
        .into());
    }
    Ok(hppa)
}

/// Runs the scenario `path` as target hppa; whether it exited 0, and the
/// verdict it recorded.
fn run_as_hppa(
    env: &TestEnv,
    path: &str,
    envs: &[(&str, &str)],
) -> Result<(bool, Record), TestError> {
    let run = format!("migration-{}-{}", env.id().test, std::process::id());
    let mut command = ignored_test_command(path, envs);
    command
        .env("QEMU_TEST_ARCH", "hppa")
        .env("QEMU_TEST_RUN_ID", &run);
    let output = command
        .output()
        .map_err(|err| TestError::io("running the scenario", err))?;
    env.log(format_args!(
        "scenario {path}: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    ));
    let records = read_records(&results_root().join(&run))
        .map_err(|err| TestError::io("reading the scenario's record", err))?;
    match <[Record; 1]>::try_from(records) {
        Ok([record]) => Ok((output.status.success(), record)),
        Err(records) => Err(TestError::check(format!(
            "expected one record, found {records:?}"
        ))),
    }
}
