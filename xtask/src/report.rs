//! `cargo xtask report`: the verdicts of one run from the records our tests
//! write, so that a skip is counted as a skip, with its reason.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use qemu_fixtures::harness::outcome::{Record, read_records, results_root};

use crate::flags::Report;

impl Report {
    pub fn run(self) -> anyhow::Result<()> {
        let dir = match &self.run {
            Some(run) => results_root().join(run),
            None => newest_run()?,
        };
        let records = read_records(&dir).with_context(|| format!("reading {}", dir.display()))?;
        let summary = Summary::of(&records);
        println!(
            "run {}",
            dir.file_name().unwrap_or_default().to_string_lossy()
        );
        for record in &summary.failed {
            println!(
                "FAIL  {} {}: {}",
                record.krate,
                record.test,
                first_line(&record.message)
            );
            println!("      logs: {}", record.log_dir.display());
        }
        for record in &summary.flaky {
            println!(
                "FLAKY {} {}: passed on attempt {}; the failed attempts' logs are kept beside {}",
                record.krate,
                record.test,
                record.attempt,
                record.log_dir.display()
            );
        }
        for record in &summary.skipped {
            println!("SKIP  {} {}: {}", record.krate, record.test, record.message);
        }
        if self.verbose {
            for record in &summary.passed {
                println!(
                    "PASS  {} {} ({:.1}s)",
                    record.krate, record.test, record.seconds
                );
            }
        }
        println!(
            "{} tests: {} passed, {} skipped, {} failed{}",
            summary.total(),
            summary.passed.len() + summary.flaky.len(),
            summary.skipped.len(),
            summary.failed.len(),
            if summary.flaky.is_empty() {
                String::new()
            } else {
                format!(" ({} flaky)", summary.flaky.len())
            }
        );
        if !summary.failed.is_empty() {
            // The lines above said which: exit non-zero, for scripts.
            std::process::exit(1);
        }
        Ok(())
    }
}

/// The verdicts of a run, one per test: the last attempt decides.
pub struct Summary<'a> {
    pub passed: Vec<&'a Record>,
    pub flaky: Vec<&'a Record>,
    pub skipped: Vec<&'a Record>,
    pub failed: Vec<&'a Record>,
}

impl<'a> Summary<'a> {
    pub fn of(records: &'a [Record]) -> Summary<'a> {
        // Records come sorted by attempt within a test: the last one
        // decides, an earlier failure makes a pass flaky.
        let mut last: BTreeMap<(&str, &str), (&Record, bool)> = BTreeMap::new();
        for record in records {
            let key = (record.krate.as_str(), record.test.as_str());
            let entry = last.entry(key).or_insert((record, false));
            let failed_before =
                entry.1 || (entry.0.attempt < record.attempt && entry.0.verdict == "fail");
            *entry = (record, failed_before);
        }
        let mut summary = Summary {
            passed: Vec::new(),
            flaky: Vec::new(),
            skipped: Vec::new(),
            failed: Vec::new(),
        };
        for (record, failed_before) in last.into_values() {
            match record.verdict.as_str() {
                "pass" if failed_before => summary.flaky.push(record),
                "pass" => summary.passed.push(record),
                "skip" => summary.skipped.push(record),
                _ => summary.failed.push(record),
            }
        }
        summary
            .skipped
            .sort_by(|a, b| (&a.message, &a.test).cmp(&(&b.message, &b.test)));
        summary
    }

    fn total(&self) -> usize {
        self.passed.len() + self.flaky.len() + self.skipped.len() + self.failed.len()
    }
}

fn newest_run() -> anyhow::Result<PathBuf> {
    let root = results_root();
    let newest = std::fs::read_dir(&root)
        .with_context(|| format!("no test run recorded in {}", root.display()))?
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .max_by_key(|entry| entry.metadata().and_then(|meta| meta.modified()).ok());
    match newest {
        Some(entry) => Ok(entry.path()),
        None => bail!("no test run recorded in {}", root.display()),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}
