//! `cargo xtask coverage`: for each target, the machines its QEMU offers
//! and which of them a passing test booted a payload on (read from the
//! tests' base.log, so it counts what ran, not what the source says), and
//! the tests of its crate by speed class. The shared tests, the modules
//! every crate has, boot nothing and do not count. Run a thorough suite
//! first for the boots.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::flags::Coverage;
use crate::nextest::list;

/// One target's line of the table.
#[derive(Debug)]
struct Target {
    arch: String,
    machines: Vec<String>,
    booted: BTreeSet<String>,
    quick: usize,
    thorough: usize,
}

impl Coverage {
    pub fn run(self) -> anyhow::Result<()> {
        let root = qemu_fixtures::harness::testenv::functional_root();
        // Which tests the quick profile runs, as nextest itself decides.
        let mut binaries = list("quick")?;
        binaries.retain(|binary| {
            binary.package.starts_with("arch-") && binary.binary_id.ends_with("::functional")
        });
        if self.upstream {
            return crate::upstream::report(&binaries, self.json, self.check);
        }
        let lists: Vec<Vec<String>> = binaries
            .iter()
            .map(|binary| binary.tests.iter().map(|(test, _)| test.clone()).collect())
            .collect();
        let shared = shared_modules(&lists);
        let mut targets = Vec::new();
        for binary in &binaries {
            let arch = binary.package.trim_start_matches("arch-").to_owned();
            let (machines, aliases, default) = machines_of(&arch);
            let quick = binary.tests.iter().filter(|(_, quick)| *quick).count();
            let thorough = binary.tests.len() - quick;
            let booted = booted_machines(&root.join(&arch), &shared, &aliases, default.as_deref())?;
            targets.push(Target {
                arch,
                machines,
                booted,
                quick,
                thorough,
            });
        }
        if self.json {
            let rows: Vec<_> = targets
                .iter()
                .map(|t| {
                    json!({
                        "target": t.arch,
                        "machines": t.machines,
                        "booted": t.booted,
                        "quick_tests": t.quick,
                        "thorough_tests": t.thorough,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&rows)?);
            return Ok(());
        }
        println!(
            "{:<13} {:>8} {:>6} {:>6} {:>9}  machines booted by a passing test",
            "target", "machines", "booted", "quick", "thorough"
        );
        for t in &targets {
            let booted: Vec<&str> = t.booted.iter().map(String::as_str).collect();
            println!(
                "{:<13} {:>8} {:>6} {:>6} {:>9}  {}",
                t.arch,
                t.machines.len(),
                t.booted.len(),
                t.quick,
                t.thorough,
                booted.join(" ")
            );
        }
        let with_boots = targets.iter().filter(|t| !t.booted.is_empty()).count();
        println!(
            "{} targets, {with_boots} with a machine booted by a passing test; {} of {} machines booted; {} quick and {} thorough tests",
            targets.len(),
            targets.iter().map(|t| t.booted.len()).sum::<usize>(),
            targets.iter().map(|t| t.machines.len()).sum::<usize>(),
            targets.iter().map(|t| t.quick).sum::<usize>(),
            targets.iter().map(|t| t.thorough).sum::<usize>(),
        );
        Ok(())
    }
}

/// The machines of `-machine help` (aliases folded into what they name),
/// the aliases, and the default machine.
fn machines_of(arch: &str) -> (Vec<String>, BTreeMap<String, String>, Option<String>) {
    let Ok(binary) = qemu_fixtures::vm::qemu_binary(arch) else {
        return (Vec::new(), BTreeMap::new(), None);
    };
    let help = Command::new(binary)
        .args(["-machine", "help"])
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    let mut machines = Vec::new();
    let mut aliases = BTreeMap::new();
    let mut default = None;
    for line in help.lines().skip(1) {
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        if line.contains("(default)") {
            default = Some(name.to_owned());
        }
        match line.split_once("(alias of ") {
            Some((_, rest)) => {
                let target = rest.trim_end_matches(')').split(')').next().unwrap_or(rest);
                aliases.insert(name.to_owned(), target.to_owned());
            }
            None if name != "none" => machines.push(name.to_owned()),
            None => {}
        }
    }
    // The default may be an alias too.
    let default = default.map(|name| aliases.get(&name).cloned().unwrap_or(name));
    (machines, aliases, default)
}

/// The modules every crate has: the shared tests.
fn shared_modules(lists: &[Vec<String>]) -> BTreeSet<String> {
    let modules = |tests: &Vec<String>| -> BTreeSet<String> {
        tests
            .iter()
            .filter_map(|test| test.split_once("::").map(|(module, _)| module.to_owned()))
            .collect()
    };
    let mut lists = lists.iter();
    let Some(first) = lists.next() else {
        return BTreeSet::new();
    };
    lists.fold(modules(first), |shared, tests| {
        shared.intersection(&modules(tests)).cloned().collect()
    })
}

/// The machines the passing target-specific tests of one target launched,
/// from their base.log: `-machine <name>[,options]`, or the default.
fn booted_machines(
    arch_dir: &Path,
    shared: &BTreeSet<String>,
    aliases: &BTreeMap<String, String>,
    default: Option<&str>,
) -> anyhow::Result<BTreeSet<String>> {
    let mut booted = BTreeSet::new();
    let Ok(entries) = std::fs::read_dir(arch_dir) else {
        return Ok(booted);
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if shared.contains(name.split('.').next().unwrap_or_default()) {
            continue;
        }
        let log = entry.path().join("base.log");
        let Ok(text) = std::fs::read_to_string(&log) else {
            continue;
        };
        if !text.lines().any(|line| line.ends_with("verdict: pass")) {
            continue;
        }
        for line in text.lines().filter(|line| line.contains(": launching: ")) {
            let words: Vec<&str> = line.split_whitespace().collect();
            let machine = words
                .iter()
                .position(|word| *word == "-machine")
                .and_then(|at| words.get(at + 1))
                .map(|value| value.split(',').next().unwrap_or(value).to_owned())
                .or_else(|| default.map(str::to_owned));
            let Some(machine) = machine else { continue };
            if machine == "none" {
                continue;
            }
            booted.insert(aliases.get(&machine).cloned().unwrap_or(machine));
        }
    }
    Ok(booted)
}
