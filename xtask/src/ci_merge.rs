//! `cargo xtask ci-plan merge`: the N partitions' results as one run: one
//! JUnit report, one TAP stream and one `cargo xtask report` listing, every
//! test exactly once. A test lost or run twice across partitions is an
//! error; a partition killed halfway is reported as such, with the tests it
//! never ran, found by comparing with `cargo nextest list` of the archive.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use qemu_fixtures::harness::outcome::{INTERMITTENT_KNOWN_FAILURE, Recorded, read_records};
use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use crate::ci_plan::{
    EVENTS_FILE, EXIT_FILE, Plan, default_archive, junit_in, list_archive, read_plan,
};
use crate::flags::CiMerge;
use crate::nextest::workspace_root;
use crate::report::{Line, Ran, Summary};

/// A test: its binary id (`arch-arm::functional`) and name.
pub type TestKey = (String, String);

impl CiMerge {
    pub fn run(self) -> anyhow::Result<()> {
        let archive = self.archive.unwrap_or_else(default_archive);
        let workspace = self.workspace.unwrap_or_else(workspace_root);
        let out = self
            .out
            .unwrap_or_else(|| workspace_root().join("target/ci/merged"));
        let mut partitions = Vec::new();
        for dir in &self.dirs {
            partitions.push(read_partition(dir, &|plan: &Plan| {
                list_archive(&archive, &workspace, &plan.profile, Some(&plan.partition))
            })?);
        }
        let Some(first) = partitions.first() else {
            bail!("no partition directory given");
        };
        let profile = first.profile.clone();
        let all = list_archive(&archive, &workspace, &profile, None)?;
        let merged = merge(&partitions, &all)?;
        std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
        let write = |name: &str, text: String| {
            let path = out.join(name);
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
        };
        write("junit.xml", merged.junit()?)?;
        write("results.tap", merged.tap())?;
        write("verdicts.tsv", merged.verdicts())?;
        println!(
            "merged {} partitions of profile {profile}: {}",
            partitions.len(),
            out.display()
        );
        let failed = merged.summary().print(false);
        for problem in &merged.problems {
            println!("ERROR {problem}");
        }
        if failed > 0 || !merged.problems.is_empty() {
            std::process::exit(1);
        }
        Ok(())
    }
}

/// What one partition's directory holds.
#[derive(Debug)]
pub struct Partition {
    /// `hash:2/3`.
    pub label: String,
    pub profile: String,
    /// nextest finished and wrote its JUnit report.
    pub finished: bool,
    /// How nextest exited, when it returned without a report (it could
    /// not run: a broken archive, a full disk). None when it finished or
    /// when the job was killed before it returned.
    pub gave_up: Option<String>,
    /// The partition's tests that never ended: listed as failed.
    pub unfinished: usize,
    /// Each test the partition reports, with its line.
    pub lines: Vec<(TestKey, Line)>,
}

/// Reads a partition: its JUnit report and records when it finished;
/// else the events of the tests it ended, and `expected` (the tests
/// `cargo nextest list` gives its partition) for the ones it never did.
pub fn read_partition(
    dir: &Path,
    expected: &dyn Fn(&Plan) -> anyhow::Result<BTreeSet<TestKey>>,
) -> anyhow::Result<Partition> {
    let plan = read_plan(dir)?;
    let records_dir = dir.join(&plan.records);
    let records = if records_dir.is_dir() {
        read_records(&records_dir).with_context(|| format!("reading {}", records_dir.display()))?
    } else {
        Vec::new()
    };
    let junit = junit_in(dir, &plan.profile);
    let (finished, ran, running) = if junit.is_file() {
        (true, junit_cases(&junit)?, BTreeSet::new())
    } else {
        let (ended, running) = events(&dir.join(EVENTS_FILE))?;
        (false, ended, running)
    };
    let binary_of: HashMap<(String, String), String> = ran
        .iter()
        .map(|(key, case)| ((case.krate.clone(), case.test.clone()), key.0.clone()))
        .collect();
    let cases: Vec<Ran> = ran.iter().map(|(_, case)| case.clone()).collect();
    let mut lines: Vec<(TestKey, Line)> = Summary::of(&records, Some(&cases))
        .lines
        .into_iter()
        .map(|line| {
            let binary = binary_of
                .get(&(line.krate.clone(), line.test.clone()))
                .cloned()
                .unwrap_or_else(|| line.krate.clone());
            ((binary, line.test.clone()), line)
        })
        .collect();
    let gave_up = match std::fs::read_to_string(dir.join(EXIT_FILE)) {
        Ok(status) if !finished => Some(status.trim().to_owned()),
        _ => None,
    };
    let mut unfinished = 0;
    if !finished {
        let ended: BTreeSet<TestKey> = ran.iter().map(|(key, _)| key.clone()).collect();
        for key in expected(&plan)?.difference(&ended) {
            unfinished += 1;
            let how = match &gave_up {
                Some(status) => format!("nextest of partition {} ended ({status})", plan.partition),
                None => format!("partition {} was killed", plan.partition),
            };
            let message = if running.contains(key) {
                format!("did not end: {how} while it ran")
            } else {
                format!("never ran: {how} before it")
            };
            let line = Line {
                krate: krate_of(&key.0).to_owned(),
                test: key.1.clone(),
                verdict: Recorded::Fail,
                message,
                log_dir: None,
                seconds: 0.0,
                flaky_attempt: None,
            };
            lines.push((key.clone(), line));
        }
    }
    Ok(Partition {
        label: plan.partition,
        profile: plan.profile,
        finished,
        gave_up,
        unfinished,
        lines,
    })
}

/// The partitions as one run.
#[derive(Debug)]
pub struct Merged {
    pub tests: BTreeMap<TestKey, Line>,
    /// Lost or doubled tests, killed or missing partitions.
    pub problems: Vec<String>,
}

/// Merges the partitions; `all` is every test the profile runs.
pub fn merge(partitions: &[Partition], all: &BTreeSet<TestKey>) -> anyhow::Result<Merged> {
    let mut problems = Vec::new();
    let mut schemes = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for partition in partitions {
        let (scheme, k, n) = parse_label(&partition.label)?;
        schemes.insert((scheme, n));
        if !seen.insert(k) {
            problems.push(format!("partition {} is given twice", partition.label));
        }
        let unfinished = partition.unfinished;
        match (&partition.gave_up, partition.finished) {
            (_, true) => {}
            (Some(status), false) => problems.push(format!(
                "partition {} ended without its report: nextest {status} (see the job's log): {unfinished} of its tests never finished (listed as failed)",
                partition.label
            )),
            (None, false) => problems.push(format!(
                "partition {} was killed halfway: {unfinished} of its tests never finished (listed as failed)",
                partition.label
            )),
        }
    }
    if schemes.len() > 1 {
        bail!("the partitions are of different plans: {schemes:?}");
    }
    if let Some((scheme, n)) = schemes.into_iter().next() {
        for k in (1..=n).filter(|k| !seen.contains(k)) {
            problems.push(format!("partition {scheme}:{k}/{n} has no results"));
        }
    }
    let mut tests: BTreeMap<TestKey, Line> = BTreeMap::new();
    let mut from: BTreeMap<TestKey, Vec<&str>> = BTreeMap::new();
    for partition in partitions {
        for (key, line) in &partition.lines {
            from.entry(key.clone()).or_default().push(&partition.label);
            tests.entry(key.clone()).or_insert_with(|| line.clone());
        }
    }
    for (key, labels) in &from {
        if labels.len() > 1 {
            problems.push(format!(
                "{} {} ran in {} partitions: {}",
                key.0,
                key.1,
                labels.len(),
                labels.join(", ")
            ));
        }
    }
    for key in all.iter().filter(|key| !tests.contains_key(*key)) {
        problems.push(format!("{} {} was lost: no partition ran it", key.0, key.1));
    }
    Ok(Merged { tests, problems })
}

impl Merged {
    /// As `cargo xtask report` lists a run.
    pub fn summary(&self) -> Summary {
        let mut lines: Vec<Line> = self.tests.values().cloned().collect();
        lines.sort_by(|a, b| (&a.krate, &a.test).cmp(&(&b.krate, &b.test)));
        Summary { lines }
    }

    /// `binary<TAB>test<TAB>verdict`, one line per test: what two runs are
    /// compared by. A race a known QEMU bug lost in one run may be won in
    /// the other, so an intermittent known failure compares as a pass.
    pub fn verdicts(&self) -> String {
        self.tests
            .iter()
            .map(|((binary, test), line)| {
                let verdict = match line.verdict {
                    Recorded::Xfail if line.message.starts_with(INTERMITTENT_KNOWN_FAILURE) => {
                        Recorded::Pass
                    }
                    verdict => verdict,
                };
                format!("{binary}\t{test}\t{}\n", verdict.as_str())
            })
            .collect()
    }

    /// One TAP stream: a skip and an expected failure are `# SKIP`, as
    /// `cargo xtask tap` writes them.
    pub fn tap(&self) -> String {
        let mut out = format!("TAP version 13\n1..{}\n", self.tests.len());
        for (number, ((binary, test), line)) in self.tests.iter().enumerate() {
            let number = number + 1;
            let message = line.message.lines().next().unwrap_or_default();
            let text = match line.verdict {
                Recorded::Pass => format!("ok {number} - {binary} {test}"),
                Recorded::Skip => format!("ok {number} - {binary} {test} # SKIP {message}"),
                Recorded::Xfail => {
                    format!("ok {number} - {binary} {test} # SKIP expected failure: {message}")
                }
                other => format!(
                    "not ok {number} - {binary} {test}\n  ---\n  verdict: {}\n  message: {:?}\n  ...",
                    other.as_str(),
                    message
                ),
            };
            out.push_str(&text);
            out.push('\n');
        }
        for problem in &self.problems {
            out.push_str(&format!("# ERROR {problem}\n"));
        }
        out
    }

    /// One JUnit report, with skips and known failures marked as `cargo
    /// xtask junit` marks them, and the merge's problems as failed cases of
    /// a suite of their own, so that GitLab shows them.
    pub fn junit(&self) -> anyhow::Result<String> {
        let mut report = JunitReport::new("ci-plan-merge");
        let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
        for ((binary, test), line) in &self.tests {
            let status = match line.verdict {
                Recorded::Pass => TestCaseStatus::success(),
                Recorded::Skip => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(line.message.as_str());
                    status
                }
                Recorded::Xfail => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(line.message.as_str());
                    status.set_type("expected failure");
                    status
                }
                other => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status.set_message(line.message.as_str());
                    status.set_type(other.as_str());
                    status.set_description(line.message.as_str());
                    status
                }
            };
            let mut case = TestCase::new(test.as_str(), status);
            case.set_classname(binary.as_str());
            case.set_time(Duration::from_secs_f64(line.seconds.max(0.0)));
            suites
                .entry(binary.as_str())
                .or_insert_with(|| TestSuite::new(binary.as_str()))
                .add_test_case(case);
        }
        report.add_test_suites(suites.into_values());
        if !self.problems.is_empty() {
            let mut suite = TestSuite::new("ci-plan merge");
            for problem in &self.problems {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status.set_message(problem.as_str());
                suite.add_test_case(TestCase::new(problem.as_str(), status));
            }
            report.add_test_suite(suite);
        }
        Ok(report.to_string()?)
    }
}

fn parse_label(label: &str) -> anyhow::Result<(String, u32, u32)> {
    let parsed = label.split_once(':').and_then(|(scheme, rest)| {
        let (k, n) = rest.split_once('/')?;
        Some((scheme.to_owned(), k.parse().ok()?, n.parse().ok()?))
    });
    parsed.with_context(|| format!("partition `{label}` is not scheme:k/N"))
}

fn krate_of(binary: &str) -> &str {
    binary.split("::").next().unwrap_or(binary)
}

/// The test cases of a JUnit report nextest wrote, with their binary ids;
/// cases nextest did not run (filtered out, other partitions') are left out.
fn junit_cases(path: &Path) -> anyhow::Result<Vec<(TestKey, Ran)>> {
    let xml =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let report = JunitReport::deserialize_from_str(&xml)
        .with_context(|| format!("{} is not a JUnit report", path.display()))?;
    let mut cases = Vec::new();
    for suite in &report.test_suites {
        for case in &suite.test_cases {
            let binary = case
                .classname
                .as_deref()
                .unwrap_or(suite.name.as_str())
                .to_owned();
            let failure = match &case.status {
                TestCaseStatus::Success { .. } => None,
                TestCaseStatus::Skipped { .. } => continue,
                TestCaseStatus::NonSuccess { message, ty, .. } => Some(
                    [ty.as_deref(), message.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(": "),
                ),
            };
            let ran = Ran {
                krate: krate_of(&binary).to_owned(),
                test: case.name.to_string(),
                failure: failure.map(|text| {
                    if text.is_empty() {
                        "failed".into()
                    } else {
                        text
                    }
                }),
                skipped: false,
            };
            cases.push(((binary, case.name.to_string()), ran));
        }
    }
    Ok(cases)
}

/// The tests a partition's nextest ended, and the ones it had started but
/// not ended when it was killed.
type Events = (Vec<(TestKey, Ran)>, BTreeSet<TestKey>);

/// The tests a partition's nextest ended (libtest-json-plus events), and
/// the ones it had started but not ended when it was killed.
fn events(path: &Path) -> anyhow::Result<Events> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
    };
    let mut ended: BTreeMap<TestKey, Ran> = BTreeMap::new();
    let mut running = BTreeSet::new();
    // A killed writer may leave half a line: only whole JSON lines count.
    // Test events name `<crate>::<binary name>$<test>`; the suite events
    // say which binary id (`fx`, `arch-arm::functional`) that prefix is.
    let mut binary_ids: HashMap<String, String> = HashMap::new();
    for value in text
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
    {
        if value["type"] == "suite" {
            let meta = &value["nextest"];
            if let (Some(krate), Some(binary), Some(kind)) = (
                meta["crate"].as_str(),
                meta["test_binary"].as_str(),
                meta["kind"].as_str(),
            ) {
                let id = match kind {
                    "lib" | "proc-macro" => krate.to_owned(),
                    "test" => format!("{krate}::{binary}"),
                    other => format!("{krate}::{other}/{binary}"),
                };
                binary_ids.insert(format!("{krate}::{binary}"), id);
            }
            continue;
        }
        if value["type"] != "test" {
            continue;
        }
        let (Some(event), Some(name)) = (value["event"].as_str(), value["name"].as_str()) else {
            continue;
        };
        let Some((prefix, test)) = name.split_once('$') else {
            continue;
        };
        let binary = binary_ids.get(prefix).map_or(prefix, String::as_str);
        let key = (binary.to_owned(), test.to_owned());
        let failure = match event {
            "started" => {
                running.insert(key);
                continue;
            }
            "ok" => None,
            "ignored" => {
                running.remove(&key);
                continue;
            }
            other => Some(format!("test {other}")),
        };
        running.remove(&key);
        let ran = Ran {
            krate: krate_of(binary).to_owned(),
            test: test.to_owned(),
            failure,
            skipped: false,
        };
        ended.insert(key, ran);
    }
    Ok((ended.into_iter().collect(), running))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(test: &str, verdict: Recorded, message: &str) -> ((String, String), Line) {
        let line = Line {
            krate: "arch-s390x".into(),
            test: test.into(),
            verdict,
            message: message.into(),
            log_dir: None,
            seconds: 0.3,
            flaky_attempt: None,
        };
        (("arch-s390x::functional".into(), test.into()), line)
    }

    #[test]
    fn an_intermittent_known_failure_compares_as_a_pass_and_no_other() {
        let merged = Merged {
            tests: [
                line(
                    "a_race",
                    Recorded::Xfail,
                    &format!("{INTERMITTENT_KNOWN_FAILURE}https://lore.kernel.org/x: check failed"),
                ),
                line(
                    "b_crash",
                    Recorded::Xfail,
                    "known failure: https://gitlab.com/y: QEMU died",
                ),
                line("c_fails", Recorded::Fail, "check failed"),
            ]
            .into_iter()
            .collect(),
            problems: Vec::new(),
        };
        assert_eq!(
            merged.verdicts(),
            "arch-s390x::functional\ta_race\tpass\n\
             arch-s390x::functional\tb_crash\txfail\n\
             arch-s390x::functional\tc_fails\tfail\n"
        );
        // The reports still say what happened.
        assert!(
            merged
                .tap()
                .contains("a_race # SKIP expected failure: known failure (intermittent)"),
            "{}",
            merged.tap()
        );
    }
}
