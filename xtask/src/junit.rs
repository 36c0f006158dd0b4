//! `cargo xtask junit`: nextest's JUnit report counts a test that skipped at
//! run time as passed, since nextest has no runtime skip. This rewrites such
//! test cases from the records the same run wrote: a skip becomes
//! `<skipped message="reason"/>`, an expected failure `<skipped
//! message="known failure: <url>"/>`, and a known failure that passed a
//! `<failure>` saying its row can go; the counts follow.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use quick_junit::{NonSuccessKind, Report, TestCaseStatus};

use qemu_fixtures::harness::outcome::{Recorded, read_records, results_root};

use crate::flags::Junit;

impl Junit {
    pub fn run(self) -> anyhow::Result<()> {
        let xml = std::fs::read_to_string(&self.path)
            .with_context(|| format!("reading {}", self.path.display()))?;
        let (rewritten, marked) = mark_skips(&xml, &|run| skip_reasons(run))?;
        std::fs::write(&self.path, rewritten)
            .with_context(|| format!("writing {}", self.path.display()))?;
        println!(
            "{}: {marked} test(s) marked from their records",
            self.path.display()
        );
        Ok(())
    }
}

/// `(crate, test name)` → the recorded verdict and its message, for the
/// run `run`.
type Reasons = HashMap<(String, String), (Recorded, String)>;

fn skip_reasons(run: &str) -> anyhow::Result<Reasons> {
    let dir = results_root().join(run);
    if !Path::new(&dir).is_dir() {
        return Ok(Reasons::new());
    }
    let mut reasons = Reasons::new();
    // Sorted by attempt: the last one stays.
    for record in read_records(&dir)? {
        reasons.insert(
            (record.krate.clone(), record.test.clone()),
            (record.recorded(), record.message),
        );
    }
    Ok(reasons)
}

/// The message of an expected failure: `known failure: <url>`.
fn known_failure_message(message: &str) -> String {
    if message.starts_with("known failure") {
        message.to_owned()
    } else {
        format!("known failure: {message}")
    }
}

/// Rewrites the report; returns it and how many test cases changed.
pub fn mark_skips(
    xml: &str,
    reasons_of_run: &dyn Fn(&str) -> anyhow::Result<Reasons>,
) -> anyhow::Result<(String, usize)> {
    let mut report = Report::deserialize_from_str(xml).context("reading the JUnit report")?;
    let run = report
        .uuid
        .context("the report names no run (testsuites uuid)")?
        .to_string();
    let reasons = reasons_of_run(&run)?;
    let (mut total, mut skipped_total, mut failed_total) = (0, 0, 0);
    for suite in &mut report.test_suites {
        let (mut skipped, mut failed) = (0, 0);
        for case in &mut suite.test_cases {
            // A failure stays a failure whatever a record says.
            if !matches!(case.status, TestCaseStatus::Success { .. }) {
                continue;
            }
            let krate = case
                .classname
                .as_deref()
                .and_then(|class| class.split("::").next())
                .unwrap_or_default();
            let Some((verdict, message)) = reasons.get(&(krate.to_owned(), case.name.to_string()))
            else {
                continue;
            };
            match verdict {
                Recorded::Skip => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(message.as_str());
                    case.status = status;
                    skipped += 1;
                }
                Recorded::Xfail => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(known_failure_message(message));
                    status.set_type("expected failure");
                    case.status = status;
                    skipped += 1;
                }
                Recorded::Xpass | Recorded::Fail | Recorded::Timeout => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    let text = if *verdict == Recorded::Xpass {
                        format!(
                            "a known failure passed; its row in known_failures can go ({})",
                            known_failure_message(message)
                        )
                    } else {
                        message.clone()
                    };
                    status.set_message(text.as_str());
                    status.set_type(format!("{} (recorded)", verdict.as_str()));
                    status.set_description(text);
                    case.status = status;
                    failed += 1;
                }
                Recorded::Pass => continue,
            }
        }
        suite.skipped += skipped;
        suite.failures += failed;
        total += skipped + failed;
        skipped_total += skipped;
        failed_total += failed;
    }
    report.skipped += skipped_total;
    report.failures += failed_total;
    Ok((report.to_string()?, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = "0b1c3a47-8d6e-4f0a-9c1e-2f3a4b5c6d7e";

    fn report() -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="3" skipped="0" failures="1" errors="0" uuid="{RUN}">
    <testsuite name="arch-arm::functional" tests="3" skipped="0" errors="0" failures="1">
        <testcase name="canon_a1100::boots_barebox" classname="arch-arm::functional" time="0.010"/>
        <testcase name="uboot::answers_version_at_its_prompt" classname="arch-arm::functional" time="0.900"/>
        <testcase name="version::query_version_matches_cli" classname="arch-arm::functional" time="0.100">
            <failure type="test failure">boom</failure>
        </testcase>
    </testsuite>
</testsuites>
"#
        )
    }

    fn reasons(run: &str) -> anyhow::Result<Reasons> {
        assert_eq!(run, RUN);
        let mut reasons = Reasons::new();
        reasons.insert(
            ("arch-arm".into(), "canon_a1100::boots_barebox".into()),
            (
                Recorded::Skip,
                "download failed: <url>: connection refused".into(),
            ),
        );
        // A failure stays a failure even if a record says skip.
        reasons.insert(
            (
                "arch-arm".into(),
                "version::query_version_matches_cli".into(),
            ),
            (Recorded::Skip, "not this".into()),
        );
        Ok(reasons)
    }

    #[test]
    fn runtime_skips_become_skipped_and_counts_follow() {
        let (xml, marked) = mark_skips(&report(), &reasons).unwrap();
        assert_eq!(marked, 1);
        let report = Report::deserialize_from_str(&xml).unwrap();
        assert_eq!(report.skipped, 1);
        let suite = &report.test_suites[0];
        assert_eq!(suite.skipped, 1);
        let skipped: Vec<_> = suite
            .test_cases
            .iter()
            .filter_map(|case| match &case.status {
                TestCaseStatus::Skipped { message, .. } => {
                    Some((case.name.to_string(), message.as_deref().map(str::to_owned)))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            skipped,
            [(
                "canon_a1100::boots_barebox".to_owned(),
                Some("download failed: <url>: connection refused".to_owned())
            )]
        );
        assert!(matches!(
            suite.test_cases[2].status,
            TestCaseStatus::NonSuccess { .. }
        ));
    }

    #[test]
    fn known_failures_become_skipped_and_unexpected_passes_failures() {
        let reasons = |_: &str| -> anyhow::Result<Reasons> {
            let mut reasons = Reasons::new();
            reasons.insert(
                ("arch-arm".into(), "canon_a1100::boots_barebox".into()),
                (
                    Recorded::Xfail,
                    "known failure: https://gitlab.com/qemu-project/qemu/-/issues/1".into(),
                ),
            );
            reasons.insert(
                (
                    "arch-arm".into(),
                    "uboot::answers_version_at_its_prompt".into(),
                ),
                (
                    Recorded::Xpass,
                    "known failure: https://gitlab.com/qemu-project/qemu/-/issues/2".into(),
                ),
            );
            Ok(reasons)
        };
        let (xml, marked) = mark_skips(&report(), &reasons).unwrap();
        assert_eq!(marked, 2);
        let report = Report::deserialize_from_str(&xml).unwrap();
        assert_eq!((report.skipped, report.failures), (1, 2));
        let suite = &report.test_suites[0];
        match &suite.test_cases[0].status {
            TestCaseStatus::Skipped { message, .. } => assert_eq!(
                message.as_deref(),
                Some("known failure: https://gitlab.com/qemu-project/qemu/-/issues/1")
            ),
            other => panic!("an expected failure is not skipped: {other:?}"),
        }
        match &suite.test_cases[1].status {
            TestCaseStatus::NonSuccess { message, .. } => assert!(
                message
                    .as_deref()
                    .is_some_and(|m| m.contains("its row in known_failures can go")),
                "{message:?}"
            ),
            other => panic!("an unexpected pass is not a failure: {other:?}"),
        }
    }
}
