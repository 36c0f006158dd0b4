//! `cargo xtask report`: the verdicts of one nextest run, reconciled: every
//! test nextest ran is listed once, with the verdict its record gives (so a
//! skip counts as a skip, with its reason), or, when it left no record
//! (killed on timeout, by a signal), with nextest's own status as a failure.
//!
//! The run is the one in the newest JUnit report nextest wrote (every
//! profile writes one, see .config/nextest.toml), whose `uuid` is the run id
//! our records are stored under: records of an older run are never shown.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use qemu_fixtures::harness::outcome::{Record, Recorded, read_records, results_root};
use qemu_fixtures::harness::testenv::target_dir;
use quick_junit::{Report as JunitReport, TestCaseStatus};

use crate::flags::Report;

impl Report {
    pub fn run(self) -> anyhow::Result<()> {
        if let Some(dir) = &self.dir {
            return partition(dir, self.verbose);
        }
        let junit = match (&self.profile, &self.run) {
            (Some(profile), _) => Some(junit_path(profile)),
            (None, Some(_)) => None,
            (None, None) => Some(newest_junit()?),
        };
        let ran = match &junit {
            Some(path) => Some(read_junit(path)?),
            None => None,
        };
        let run = match (&self.run, &ran) {
            (Some(run), _) => run.clone(),
            (None, Some(ran)) => ran.run.clone(),
            (None, None) => unreachable!("a run or a JUnit report is chosen above"),
        };
        if let Some(ran) = &ran
            && ran.run != run
        {
            bail!(
                "{} is of run {}, not {run}: pass the profile that ran {run}, or no --run",
                junit.as_ref().expect("read above").display(),
                ran.run
            );
        }
        let dir = results_root().join(&run);
        let records = if dir.is_dir() {
            read_records(&dir).with_context(|| format!("reading {}", dir.display()))?
        } else {
            Vec::new()
        };
        let summary = Summary::of(&records, ran.as_ref().map(|ran| ran.cases.as_slice()));
        println!("run {run}");
        if let Some(path) = &junit {
            println!("nextest's report: {}", path.display());
        } else {
            println!("records only: no nextest JUnit report of this run was read");
        }
        let failed = summary.print(self.verbose);
        if failed > 0 {
            // The lines above said which: exit non-zero, for scripts.
            std::process::exit(1);
        }
        Ok(())
    }
}

/// `report --dir`: one `ci-plan run` partition, whose records are under
/// the run id its plan.json names (not nextest's run id) and whose JUnit
/// report is in its own store.
fn partition(dir: &Path, verbose: bool) -> anyhow::Result<()> {
    use crate::ci_plan::{junit_in, read_plan};
    let plan = read_plan(dir)?;
    let records_dir = dir.join(&plan.records);
    let records = if records_dir.is_dir() {
        read_records(&records_dir).with_context(|| format!("reading {}", records_dir.display()))?
    } else {
        Vec::new()
    };
    let junit = junit_in(dir, &plan.profile);
    let ran = junit.is_file().then(|| read_junit(&junit)).transpose()?;
    println!("run {} (partition {})", plan.run_id, plan.partition);
    println!("records: {}", records_dir.display());
    match &ran {
        Some(_) => println!("nextest's report: {}", junit.display()),
        None => println!(
            "records only: {} is missing, the partition did not finish; `cargo xtask ci-plan merge` lists the tests it never ran",
            junit.display()
        ),
    }
    let summary = Summary::of(&records, ran.as_ref().map(|ran| ran.cases.as_slice()));
    if summary.print(verbose) > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// One test case nextest ran, and how it ended for nextest.
#[derive(Debug, Clone, PartialEq)]
pub struct Ran {
    pub krate: String,
    pub test: String,
    /// `None` for a pass; else nextest's failure type and message
    /// (`test timeout`, `test abort with signal 9 (SIGKILL)`).
    pub failure: Option<String>,
    /// nextest did not run it (filtered out or ignored).
    pub skipped: bool,
}

/// A nextest run as its JUnit report tells it.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub run: String,
    pub cases: Vec<Ran>,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub krate: String,
    pub test: String,
    pub verdict: Recorded,
    pub message: String,
    pub log_dir: Option<PathBuf>,
    pub seconds: f64,
    /// It passed on a later attempt after failing.
    pub flaky_attempt: Option<u32>,
}

/// The verdicts of a run, one line per test.
#[derive(Debug, Default)]
pub struct Summary {
    pub lines: Vec<Line>,
}

impl Summary {
    /// Our records, reconciled with what nextest ran when `ran` is known:
    /// a test that ran and left no record is listed with nextest's status.
    pub fn of(records: &[Record], ran: Option<&[Ran]>) -> Summary {
        // Records come sorted by attempt within a test: the last one
        // decides, an earlier failure makes a pass flaky.
        let mut last: BTreeMap<(String, String), (&Record, bool)> = BTreeMap::new();
        for record in records {
            let key = (record.krate.clone(), record.test.clone());
            let entry = last.entry(key).or_insert((record, false));
            let failed_before =
                entry.1 || (entry.0.attempt < record.attempt && entry.0.recorded().is_failure());
            *entry = (record, failed_before);
        }
        let from_record = |record: &Record, failed_before: bool| Line {
            krate: record.krate.clone(),
            test: record.test.clone(),
            verdict: record.recorded(),
            message: record.message.clone(),
            log_dir: Some(record.log_dir.clone()),
            seconds: record.seconds,
            flaky_attempt: (failed_before && record.recorded() == Recorded::Pass)
                .then_some(record.attempt),
        };
        let mut lines = Vec::new();
        match ran {
            None => {
                for (record, failed_before) in last.values() {
                    lines.push(from_record(record, *failed_before));
                }
            }
            Some(ran) => {
                for case in ran.iter().filter(|case| !case.skipped) {
                    let key = (case.krate.clone(), case.test.clone());
                    let line = match (last.get(&key), &case.failure) {
                        // nextest's failure wins over a record that says
                        // otherwise: the process failed after recording.
                        (Some((record, _)), Some(failure)) if !record.recorded().is_failure() => {
                            Line {
                                verdict: Recorded::Fail,
                                message: format!(
                                    "nextest: {failure} (the record said {}: {})",
                                    record.verdict, record.message
                                ),
                                ..from_record(record, false)
                            }
                        }
                        (Some((record, failed_before)), _) => from_record(record, *failed_before),
                        (None, Some(failure)) => Line {
                            krate: case.krate.clone(),
                            test: case.test.clone(),
                            verdict: if failure.contains("timeout") {
                                Recorded::Timeout
                            } else {
                                Recorded::Fail
                            },
                            message: format!("nextest: {failure}; the test left no verdict record"),
                            log_dir: None,
                            seconds: 0.0,
                            flaky_attempt: None,
                        },
                        // Plain #[test]s write no record: nextest's pass.
                        (None, None) => Line {
                            krate: case.krate.clone(),
                            test: case.test.clone(),
                            verdict: Recorded::Pass,
                            message: String::new(),
                            log_dir: None,
                            seconds: 0.0,
                            flaky_attempt: None,
                        },
                    };
                    lines.push(line);
                }
            }
        }
        lines.sort_by(|a, b| (&a.krate, &a.test).cmp(&(&b.krate, &b.test)));
        Summary { lines }
    }

    fn with(&self, verdict: Recorded) -> impl Iterator<Item = &Line> {
        self.lines
            .iter()
            .filter(move |line| line.verdict == verdict)
    }

    /// How many lines are failures.
    pub fn failed(&self) -> usize {
        self.lines
            .iter()
            .filter(|line| line.verdict.is_failure())
            .count()
    }

    /// Prints the report; returns how many failed.
    pub fn print(&self, verbose: bool) -> usize {
        for line in self.lines.iter().filter(|line| line.verdict.is_failure()) {
            let label = match line.verdict {
                Recorded::Timeout => "TIMEOUT",
                Recorded::Xpass => "XPASS",
                _ => "FAIL ",
            };
            let message = match line.verdict {
                Recorded::Xpass => format!(
                    "a known failure passed; its row in known_failures can go: {}",
                    first_line(&line.message)
                ),
                _ => first_line(&line.message).to_owned(),
            };
            println!("{label} {} {}: {message}", line.krate, line.test);
            if let Some(dir) = &line.log_dir {
                println!("      logs: {}", dir.display());
            }
        }
        for line in &self.lines {
            if let Some(attempt) = line.flaky_attempt {
                println!(
                    "FLAKY {} {}: passed on attempt {attempt}; the failed attempts' logs are kept beside {}",
                    line.krate,
                    line.test,
                    line.log_dir.as_deref().unwrap_or(Path::new("?")).display()
                );
            }
        }
        for line in self.with(Recorded::Xfail) {
            println!(
                "XFAIL {} {}: {}",
                line.krate,
                line.test,
                first_line(&line.message)
            );
        }
        let mut skipped: Vec<&Line> = self.with(Recorded::Skip).collect();
        skipped.sort_by(|a, b| (&a.message, &a.test).cmp(&(&b.message, &b.test)));
        for line in skipped {
            println!("SKIP  {} {}: {}", line.krate, line.test, line.message);
        }
        if verbose {
            for line in self.with(Recorded::Pass) {
                println!("PASS  {} {} ({:.1}s)", line.krate, line.test, line.seconds);
            }
        }
        let flaky = self
            .lines
            .iter()
            .filter(|line| line.flaky_attempt.is_some())
            .count();
        let failed = self.failed();
        println!(
            "{} tests: {} passed, {} skipped, {} expected failures, {} failed{}",
            self.lines.len(),
            self.with(Recorded::Pass).count(),
            self.with(Recorded::Skip).count(),
            self.with(Recorded::Xfail).count(),
            failed,
            if flaky == 0 {
                String::new()
            } else {
                format!(" ({flaky} flaky)")
            }
        );
        failed
    }
}

/// Where nextest writes the JUnit report of `profile`.
pub fn junit_path(profile: &str) -> PathBuf {
    target_dir().join("nextest").join(profile).join("junit.xml")
}

/// The JUnit report of the profile that ran last.
fn newest_junit() -> anyhow::Result<PathBuf> {
    let store = target_dir().join("nextest");
    let newest = std::fs::read_dir(&store)
        .ok()
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("junit.xml"))
        .filter_map(|path| {
            let modified = path.metadata().and_then(|meta| meta.modified()).ok()?;
            Some((modified, path))
        })
        .max();
    match newest {
        Some((_, path)) => Ok(path),
        None => bail!(
            "no nextest JUnit report in {}/<profile>/junit.xml: run `cargo nextest run` first, or pass --run <id>",
            store.display()
        ),
    }
}

/// Reads which tests a nextest run ran, and how each ended for nextest.
pub fn read_junit(path: &Path) -> anyhow::Result<RunReport> {
    let xml =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_junit(&xml).with_context(|| format!("reading {}", path.display()))
}

pub fn parse_junit(xml: &str) -> anyhow::Result<RunReport> {
    let report = JunitReport::deserialize_from_str(xml).context("not a JUnit report")?;
    let run = report
        .uuid
        .context("the report names no run (testsuites uuid)")?
        .to_string();
    let mut cases = Vec::new();
    for suite in &report.test_suites {
        for case in &suite.test_cases {
            let krate = case
                .classname
                .as_deref()
                .unwrap_or(suite.name.as_str())
                .split("::")
                .next()
                .unwrap_or_default()
                .to_owned();
            let (failure, skipped) = match &case.status {
                TestCaseStatus::Success { .. } => (None, false),
                TestCaseStatus::Skipped { .. } => (None, true),
                TestCaseStatus::NonSuccess { message, ty, .. } => {
                    let parts: Vec<&str> = [ty.as_deref(), message.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect();
                    let text = if parts.is_empty() {
                        "failed".to_owned()
                    } else {
                        parts.join(": ")
                    };
                    (Some(text), false)
                }
            };
            cases.push(Ran {
                krate,
                test: case.name.to_string(),
                failure,
                skipped,
            });
        }
    }
    Ok(RunReport { run, cases })
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = "0b1c3a47-8d6e-4f0a-9c1e-2f3a4b5c6d7e";

    fn junit() -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="4" skipped="1" failures="1" errors="0" uuid="{RUN}">
    <testsuite name="arch-aarch64::functional" tests="4" skipped="1" errors="0" failures="1">
        <testcase name="uboot::boots_to_prompt" classname="arch-aarch64::functional" time="60.010">
            <failure type="test timeout" message="test timed out"/>
        </testcase>
        <testcase name="version::query_version_matches_cli" classname="arch-aarch64::functional" time="0.100"/>
        <testcase name="edk2::boots_shell" classname="arch-aarch64::functional" time="3.100"/>
        <testcase name="canon::ignored" classname="arch-aarch64::functional" time="0.000">
            <skipped/>
        </testcase>
    </testsuite>
</testsuites>
"#
        )
    }

    fn record(test: &str, verdict: &str, message: &str) -> Record {
        Record {
            krate: "arch-aarch64".into(),
            arch: "aarch64".into(),
            test: test.into(),
            attempt: 1,
            verdict: verdict.into(),
            message: message.into(),
            log_dir: PathBuf::from(format!("/logs/{test}")),
            seconds: 1.0,
        }
    }

    #[test]
    fn a_test_killed_by_nextest_without_a_record_is_a_failure() {
        let ran = parse_junit(&junit()).unwrap();
        assert_eq!(ran.run, RUN);
        let records = [
            record("version::query_version_matches_cli", "pass", ""),
            record("edk2::boots_shell", "skip", "no edk2 firmware"),
        ];
        let summary = Summary::of(&records, Some(&ran.cases));
        let verdicts: Vec<(&str, Recorded)> = summary
            .lines
            .iter()
            .map(|line| (line.test.as_str(), line.verdict))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("edk2::boots_shell", Recorded::Skip),
                ("uboot::boots_to_prompt", Recorded::Timeout),
                ("version::query_version_matches_cli", Recorded::Pass),
            ],
            "the ignored test is not listed, the killed one is"
        );
        assert_eq!(summary.failed(), 1);
        let killed = &summary.lines[1];
        assert_eq!(
            killed.message,
            "nextest: test timeout: test timed out; the test left no verdict record"
        );
    }

    #[test]
    fn records_of_tests_this_run_did_not_run_are_not_shown() {
        let ran = parse_junit(&junit()).unwrap();
        // A stale record in the same directory, of a test not in this run.
        let records = [record("old::gone", "fail", "from another run")];
        let summary = Summary::of(&records, Some(&ran.cases));
        assert!(summary.lines.iter().all(|line| line.test != "old::gone"));
    }

    #[test]
    fn five_verdicts_count_as_they_should() {
        let records = [
            record("a::pass", "pass", ""),
            record("a::skip", "skip", "why"),
            record("a::fail", "fail", "boom"),
            record("a::timeout", "timeout", "interrupted by SIGTERM"),
            record("a::xfail", "xfail", "known failure: https://gitlab.com/x/1"),
            record("a::xpass", "xpass", "known failure: https://gitlab.com/x/2"),
            record("a::unknown", "maybe", ""),
        ];
        let summary = Summary::of(&records, None);
        let failed: Vec<&str> = summary
            .lines
            .iter()
            .filter(|line| line.verdict.is_failure())
            .map(|line| line.test.as_str())
            .collect();
        assert_eq!(failed, ["a::fail", "a::timeout", "a::unknown", "a::xpass"]);
        assert_eq!(summary.with(Recorded::Xfail).count(), 1);
    }

    #[test]
    fn nextest_failure_after_a_passing_record_is_a_failure() {
        let ran = parse_junit(&junit()).unwrap();
        let records = [record("uboot::boots_to_prompt", "pass", "")];
        let summary = Summary::of(&records, Some(&ran.cases));
        let line = summary
            .lines
            .iter()
            .find(|line| line.test == "uboot::boots_to_prompt")
            .unwrap();
        assert_eq!(line.verdict, Recorded::Fail);
        assert!(
            line.message.starts_with("nextest: test timeout"),
            "{}",
            line.message
        );
    }
}
