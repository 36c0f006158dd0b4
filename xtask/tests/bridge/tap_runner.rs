//! `xtask tap` on the cases: a pass is `ok`, a skip is `ok # SKIP` with its
//! reason, a failure is `not ok` with the message and the log directory,
//! and the runner's exit status says a test failed.

use std::process::Command;

use qemu_fixtures::prelude::*;

use crate::tap_parser::parse;
use crate::{this_binary, xtask};

#[qemu_test]
fn tap_output_tells_pass_skip_and_failure_apart() -> TestResult {
    let output = Command::new(xtask())
        .args([
            "tap",
            "--package",
            "xtask",
            "--module",
            "cases",
            "--ignored",
            "--binary",
        ])
        .arg(this_binary())
        .output()
        .map_err(|err| TestError::io("running xtask tap", err))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = parse(&stdout).map_err(TestError::check)?;
    ensure!(
        report.version == Some(13),
        "no TAP version 13 line: {stdout}"
    );
    ensure!(
        report.plan == Some(3) && report.points.len() == 3,
        "three cases: {stdout}"
    );
    let point = |name: &str| {
        report
            .points
            .iter()
            .find(|point| point.name == name)
            .cloned()
    };
    let passes = point("cases::passes").ok_or_else(|| TestError::check("no passes"))?;
    ensure!(passes.ok && passes.skip.is_none(), "{passes:?}");
    let skips = point("cases::skips").ok_or_else(|| TestError::check("no skips"))?;
    ensure!(
        skips.ok && skips.skip.as_deref() == Some("deliberately skipped: nothing to run here"),
        "a skip must be `ok # SKIP <reason>`: {skips:?}"
    );
    let fails = point("cases::fails").ok_or_else(|| TestError::check("no fails"))?;
    ensure!(!fails.ok, "{fails:?}");
    ensure!(
        fails
            .yaml
            .iter()
            .any(|line| line.contains("check failed: deliberate failure for the bridge tests"))
            && fails
                .yaml
                .iter()
                .any(|line| line.starts_with("log_dir:") && line.contains("cases.fails")),
        "the YAML block lacks the message or the logs: {:?}",
        fails.yaml
    );
    ensure!(
        output.status.code() == Some(1),
        "a failing module exits 1, not {}",
        output.status
    );
    Ok(())
}
