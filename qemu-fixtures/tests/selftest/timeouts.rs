//! The framework speaks before the runner kills: a wait on a guest that
//! never prints ends at the test's deadline or at nextest's SIGTERM with
//! the pattern, the console's last lines and the log directory, records a
//! timeout and leaves no QEMU; a QEMU that fails its shutdown fails a
//! passing test.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use qemu_fixtures::harness::outcome::{Record, read_records, results_root};
use qemu_fixtures::prelude::*;

use crate::support::{handoff_file, require_qemu, run_scenario, scenario_command};

const PATTERN: &str = "a pattern a stopped guest never prints";

/// The record the scenario `name` wrote in the child's run.
fn record_of(name: &str) -> Result<Record, TestError> {
    // support::scenario_command names the child's run after our pid.
    let dir = results_root().join(format!("selftest-{}", std::process::id()));
    read_records(&dir)
        .map_err(|err| TestError::io(format!("reading {}", dir.display()), err))?
        .into_iter()
        .rfind(|record| record.test == format!("scenario::{name}"))
        .ok_or_else(|| {
            TestError::check(format!(
                "no record of scenario::{name} in {}",
                dir.display()
            ))
        })
}

fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X']))
    })
}

fn pid_in(handoff: &Path) -> Option<i32> {
    std::fs::read_to_string(handoff).ok()?.trim().parse().ok()
}

#[qemu_test]
fn a_hang_ends_at_the_test_deadline_with_pattern_logs_and_a_timeout_record(
    env: std::sync::Arc<TestEnv>,
) -> TestResult {
    require_qemu(&env)?;
    let handoff = handoff_file(&env, "pid");
    let output: Output = run_scenario(
        "waits_on_a_stopped_guest",
        &[
            ("QEMU_TEST_HANDOFF", handoff.to_str().expect("utf-8")),
            ("QEMU_TEST_TIMEOUT", "4"),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(
        !output.status.success(),
        "the hung scenario passed: {stderr}"
    );
    ensure!(
        stderr.contains("the test's deadline passed (QEMU_TEST_TIMEOUT=4s)")
            && stderr.contains(PATTERN)
            && stderr.contains("s of CPU)")
            && stderr.contains("logs: "),
        "the failure does not say the deadline, the pattern, QEMU's CPU time and the logs:\n{stderr}"
    );
    let record = record_of("waits_on_a_stopped_guest")?;
    ensure!(record.verdict == "timeout", "recorded {record:?}");
    ensure!(record.message.contains(PATTERN), "recorded {record:?}");
    let pid = pid_in(&handoff).ok_or_else(|| TestError::check("no QEMU pid handed off"))?;
    ensure!(!alive(pid), "QEMU {pid} outlived the timed-out test");
    Ok(())
}

#[qemu_test]
fn sigterm_mid_wait_fails_with_pattern_logs_and_a_timeout_record(
    env: std::sync::Arc<TestEnv>,
) -> TestResult {
    require_qemu(&env)?;
    let handoff = handoff_file(&env, "pid");
    // As nextest runs a test: in a process group of its own, which its
    // timeout signals with SIGTERM (QEMU included).
    let mut child = scenario_command(
        "waits_on_a_stopped_guest",
        &[("QEMU_TEST_HANDOFF", handoff.to_str().expect("utf-8"))],
    )
    .env_remove("QEMU_TEST_TIMEOUT")
    .process_group(0)
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .map_err(|err| TestError::io("starting the scenario", err))?;
    let started = Instant::now();
    let pid = loop {
        if let Some(pid) = pid_in(&handoff) {
            break pid;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            return Err(TestError::check("the scenario never reported QEMU's pid"));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // SAFETY: signals the process group we just created.
    unsafe { libc::kill(-(child.id() as i32), libc::SIGTERM) };
    let signalled = Instant::now();
    // nextest SIGKILLs after its grace period, 10 s by default: the test
    // must have spoken and ended before.
    let status = loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|err| TestError::io("waiting", err))?
        {
            break status;
        }
        if signalled.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(TestError::check(
                "the test was still running 10 s after SIGTERM: nextest would SIGKILL it silently",
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("piped"), &mut stderr)
        .map_err(|err| TestError::io("reading the scenario's stderr", err))?;
    ensure!(!status.success(), "the signalled scenario passed: {stderr}");
    ensure!(
        stderr.contains("interrupted by SIGTERM (nextest's timeout)")
            && stderr.contains(PATTERN)
            && stderr.contains("logs: "),
        "the failure does not say SIGTERM, the pattern and the logs:\n{stderr}"
    );
    let record = record_of("waits_on_a_stopped_guest")?;
    ensure!(record.verdict == "timeout", "recorded {record:?}");
    ensure!(!alive(pid), "QEMU {pid} outlived the SIGTERMed test");
    Ok(())
}

#[qemu_test]
fn a_qemu_failing_its_shutdown_fails_a_passing_test(env: std::sync::Arc<TestEnv>) -> TestResult {
    require_qemu(&env)?;
    let qemu = qemu_fixtures::vm::qemu_binary(&env.id().arch)?;
    // QEMU answers `quit`, then its wrapper exits 3: as a QEMU that
    // crashes or fails on its way out looks to the test.
    let wrapper = env.scratch_file(["qemu-exits-3"]);
    std::fs::write(
        &wrapper,
        // Probes (`-machine help`) keep their status; the launched QEMU
        // (the scenario's `-S`) does not.
        format!(
            "#!/bin/sh\n'{}' \"$@\"\nrc=$?\ncase \"$*\" in *-S*) exit 3;; esac\nexit $rc\n",
            qemu.display()
        ),
    )
    .map_err(|err| TestError::io("writing the wrapper", err))?;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))
        .map_err(|err| TestError::io("making the wrapper executable", err))?;
    let output = run_scenario(
        "passes_with_qemu_running",
        &[("QEMU_TEST_QEMU_BINARY", wrapper.to_str().expect("utf-8"))],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(
        !output.status.success(),
        "a test whose QEMU exited 3 on quit passed:\n{stderr}"
    );
    let record = record_of("passes_with_qemu_running")?;
    ensure!(
        record.verdict == "fail" && record.message.contains("teardown"),
        "the pass was not turned into a failure: {record:?}"
    );
    ensure!(
        record.message.contains("exit") && record.message.contains('3'),
        "the failure does not say how QEMU exited: {record:?}"
    );
    Ok(())
}
