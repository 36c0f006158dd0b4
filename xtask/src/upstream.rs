//! `cargo xtask coverage --upstream`: QEMU's own test files (the catalogue
//! in xtask/upstream/, the denominator) against the tests our crates have,
//! found by the one naming rule of the README: file `<dir>/test_<name>.py`
//! of target `<arch>`, method `test_<method>` is the test
//! `<class>::<name>::<method>` of crate `arch-<arch>`, `<class>` being its
//! speed class (`quick` or `thorough`); the `generic` files are the shared
//! tests, `<name>::<method>` in every crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, bail};
use serde_json::json;

use crate::nextest::{Binary, Profile, TestQuery, workspace_root};

/// The reasons a file may stay unported: a short fixed set.
const REASONS: &[(&str, &str)] = &[
    ("hardware", "needs hardware or a host GPU"),
    ("other-os", "needs another host operating system"),
    ("not-applicable", "not applicable to a Rust framework"),
];

/// One row of the catalogue: an upstream test file as one target's meson
/// list names it.
#[derive(Debug, Clone)]
pub struct Row {
    pub arch: String,
    pub file: String,
    pub speed: String,
    pub timeout: u64,
    pub methods: usize,
}

impl Row {
    /// `arm/test_aspeed_ast2500.py` → `aspeed_ast2500`; a name that starts
    /// with a digit (`ppc/test_74xx.py`) gets a leading `_` to be a Rust
    /// module name.
    pub fn module_name(&self) -> String {
        let base = Path::new(&self.file)
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = base.strip_prefix("test_").unwrap_or(&base).to_owned();
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            format!("_{name}")
        } else {
            name
        }
    }

    /// The test-name prefix of its port: `thorough::aspeed_ast2500::`, or
    /// `version::` for a shared (generic) file.
    pub fn prefix(&self) -> String {
        if self.arch == "generic" {
            format!("{}::", self.module_name())
        } else {
            format!("{}::{}::", self.speed, self.module_name())
        }
    }
}

/// The catalogue kept in the repository.
pub fn catalogue() -> anyhow::Result<Vec<Row>> {
    let path = workspace_root().join("xtask/upstream/catalogue.tsv");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut rows = Vec::new();
    for (number, line) in text.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [arch, file, speed, _mode, timeout, methods, ..] = fields[..] else {
            bail!("{}:{}: too few columns", path.display(), number + 1);
        };
        rows.push(Row {
            arch: arch.to_owned(),
            file: file.to_owned(),
            speed: speed.to_owned(),
            timeout: timeout.parse().unwrap_or(90),
            methods: methods.parse().unwrap_or(0),
        });
    }
    Ok(rows)
}

/// Files that stay unported, each with a reason from [`REASONS`].
fn not_ported() -> anyhow::Result<BTreeMap<String, (String, String)>> {
    let path = workspace_root().join("xtask/upstream/not-ported.tsv");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut files = BTreeMap::new();
    for line in text.lines().skip(1).filter(|line| !line.trim().is_empty()) {
        let mut fields = line.splitn(3, '\t');
        let (Some(file), Some(reason)) = (fields.next(), fields.next()) else {
            bail!("{}: `{line}` lacks a reason", path.display());
        };
        if !REASONS.iter().any(|(known, _)| *known == reason) {
            bail!(
                "{}: `{reason}` is not one of the reasons {:?}",
                path.display(),
                REASONS.iter().map(|(r, _)| *r).collect::<Vec<_>>()
            );
        }
        let note = fields.next().unwrap_or_default();
        files.insert(file.to_owned(), (reason.to_owned(), note.to_owned()));
    }
    Ok(files)
}

/// Files whose Python source could not be read (xtask/upstream/not-found.tsv:
/// file, what was tried), so nothing was ported from a guess.
fn not_found() -> anyhow::Result<BTreeMap<String, String>> {
    let path = workspace_root().join("xtask/upstream/not-found.tsv");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(file, note)| (file.to_owned(), note.to_owned()))
        .collect())
}

/// How one catalogue row stands.
#[derive(Debug)]
struct Standing {
    row: Row,
    /// Methods found in the crate(s) that should hold the port.
    ported: usize,
    /// The nextest timeout of its first test, when it differs from
    /// upstream's meson timeout.
    wrong_timeout: Option<Option<u64>>,
    reason: Option<(String, String)>,
}

impl Standing {
    /// Every method ported; a row whose method count the catalogue lacks
    /// (riscv32's opensbi reuses riscv64's class) counts when any is.
    fn whole(&self) -> bool {
        self.ported > 0 && self.ported >= self.row.methods
    }
}

/// Prints the table, and fails with `check` when a row is neither ported
/// whole nor listed with a reason.
pub fn report(binaries: &[Binary], json: bool, check: bool) -> anyhow::Result<()> {
    let rows = catalogue()?;
    let unported = not_ported()?;
    let profile = Profile::load("thorough")?;
    let tests: BTreeMap<&str, BTreeSet<&str>> = binaries
        .iter()
        .map(|binary| {
            (
                binary.package.as_str(),
                binary.tests.iter().map(|(name, _)| name.as_str()).collect(),
            )
        })
        .collect();
    let standings: Vec<Standing> = rows
        .into_iter()
        .map(|row| {
            let crates: Vec<&str> = if row.arch == "generic" {
                tests.keys().copied().collect()
            } else {
                vec![]
            };
            let own = format!("arch-{}", row.arch);
            let crates = if crates.is_empty() {
                vec![own.as_str()]
            } else {
                crates
            };
            // A shared file counts as ported only where every crate has it.
            let ported = crates
                .iter()
                .map(|krate| methods_in(tests.get(krate), &row.prefix()))
                .min()
                .unwrap_or(0);
            let reason = unported.get(&row.file).cloned();
            let first = tests
                .get(own.as_str())
                .and_then(|names| names.iter().find(|name| name.starts_with(&row.prefix())));
            let wrong_timeout = first.and_then(|test| {
                let binary_id = format!("{own}::functional");
                let query = TestQuery {
                    package: &own,
                    binary_id: &binary_id,
                    test,
                };
                let timeout = profile.timeout(&query).map(|t| t.as_secs());
                (row.arch != "generic" && timeout != Some(row.timeout)).then_some(timeout)
            });
            Standing {
                row,
                ported,
                wrong_timeout,
                reason,
            }
        })
        .collect();
    if json {
        let rows: Vec<_> = standings
            .iter()
            .map(|s| {
                json!({
                    "arch": s.row.arch, "file": s.row.file, "speed": s.row.speed,
                    "module": s.row.prefix().trim_end_matches("::"),
                    "methods": s.row.methods, "ported": s.ported,
                    "reason": s.reason.as_ref().map(|(reason, _)| reason),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        print_table(&standings, &not_found()?);
        print_lengths(&standings)?;
    }
    let open = standings
        .iter()
        .filter(|s| (s.reason.is_none() && !s.whole()) || s.wrong_timeout.is_some())
        .count();
    if check && open > 0 {
        bail!(
            "{open} upstream files are neither ported whole (with upstream's timeout) nor listed with a reason"
        );
    }
    Ok(())
}

/// Distinct methods under `prefix` (rstest cases of one method count once).
fn methods_in(tests: Option<&BTreeSet<&str>>, prefix: &str) -> usize {
    tests
        .into_iter()
        .flatten()
        .filter_map(|test| test.strip_prefix(prefix))
        .map(|rest| rest.split("::").next().unwrap_or(rest))
        .collect::<BTreeSet<_>>()
        .len()
}

fn print_table(standings: &[Standing], not_found: &BTreeMap<String, String>) {
    let mut per_arch: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for s in standings {
        let counts = per_arch.entry(&s.row.arch).or_default();
        counts[0] += 1;
        counts[1] += usize::from(s.whole());
        counts[2] += s.row.methods;
        counts[3] += s.ported.min(s.row.methods);
    }
    println!(
        "{:<13} {:>6} {:>6} {:>8} {:>8}",
        "target", "files", "ported", "methods", "ported"
    );
    for (arch, [files, whole, methods, ported]) in &per_arch {
        println!("{arch:<13} {files:>6} {whole:>6} {methods:>8} {ported:>8}");
    }
    let total = |i: usize| per_arch.values().map(|c| c[i]).sum::<usize>();
    let listed = standings.iter().filter(|s| s.reason.is_some()).count();
    println!(
        "{} upstream files: {} ported whole, {listed} not ported with a reason; {} of {} methods ported",
        total(0),
        total(1),
        total(3),
        total(2)
    );
    for s in standings {
        if let Some(timeout) = s.wrong_timeout {
            let timeout = timeout.map_or("none".to_owned(), |t| format!("{t}s"));
            println!(
                "  {} ({}): nextest timeout {timeout}, upstream's meson timeout {}s",
                s.row.file, s.row.arch, s.row.timeout
            );
        }
        if let Some((reason, note)) = &s.reason {
            let why = REASONS
                .iter()
                .find(|(known, _)| known == reason)
                .map_or(reason.as_str(), |(_, text)| text);
            println!(
                "  {} ({}): not ported: {why}: {note}",
                s.row.file, s.row.arch
            );
        } else if let Some(note) = not_found.get(&s.row.file) {
            println!(
                "  {} ({}): not ported: its source is not in the index this port was read from: {note}",
                s.row.file, s.row.arch
            );
        } else if !s.whole() {
            println!(
                "  {} ({}): {} of {} methods ported as {}",
                s.row.file,
                s.row.arch,
                s.ported,
                s.row.methods,
                s.row.prefix().trim_end_matches("::")
            );
        }
    }
}

/// The median body length, in lines, of ported test methods against their
/// Python originals (xtask/upstream/python-lengths.tsv, written by whoever
/// ported the method), over the methods both sides have.
fn print_lengths(standings: &[Standing]) -> anyhow::Result<()> {
    let path = workspace_root().join("xtask/upstream/python-lengths.tsv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let mut python = BTreeMap::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        if let [file, method, lines] = fields[..]
            && let Ok(lines) = lines.trim().parse::<usize>()
        {
            python.insert((file.to_owned(), method.to_owned()), lines);
        }
    }
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for s in standings
        .iter()
        .filter(|s| s.row.arch != "generic" && s.ported > 0)
    {
        let source = workspace_root()
            .join("arch-tests")
            .join(&s.row.arch)
            .join("tests/functional")
            .join(&s.row.speed)
            .join(format!("{}.rs", s.row.module_name()));
        let Ok(rust) = std::fs::read_to_string(&source) else {
            continue;
        };
        for ((file, method), lines) in python.range((s.row.file.clone(), String::new())..) {
            if file != &s.row.file {
                break;
            }
            let name = method.strip_prefix("test_").unwrap_or(method);
            if let Some(body) = body_lines(&rust, name) {
                ours.push(body);
                theirs.push(*lines);
            }
        }
    }
    if ours.is_empty() {
        return Ok(());
    }
    println!(
        "test bodies: median {} lines in Rust, {} in Python, over {} ported methods",
        median(&mut ours),
        median(&mut theirs),
        ours.len()
    );
    Ok(())
}

/// Non-blank, non-comment lines inside `fn <name>(...) { ... }`.
fn body_lines(source: &str, name: &str) -> Option<usize> {
    let lines: Vec<&str> = source.lines().collect();
    let start = lines.iter().position(|line| {
        let line = line.trim_start();
        // A method named after a keyword (`test_move`) is `fn r#move`.
        ["fn ", "pub fn ", "fn r#", "pub fn r#"]
            .iter()
            .any(|prefix| line.starts_with(&format!("{prefix}{name}(")))
    })?;
    let mut depth = 0i32;
    let mut opened = false;
    let mut count = 0;
    for line in &lines[start..] {
        let was_open = opened && depth > 0;
        for c in line.chars() {
            match c {
                '{' => {
                    depth += 1;
                    opened = true;
                }
                '}' => depth -= 1,
                _ => {}
            }
        }
        let text = line.trim();
        if was_open && depth > 0 && !text.is_empty() && !text.starts_with("//") {
            count += 1;
        }
        if opened && depth <= 0 {
            return Some(count);
        }
    }
    None
}

fn median(values: &mut [usize]) -> usize {
    values.sort_unstable();
    values[values.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(arch: &str, file: &str, speed: &str) -> Row {
        Row {
            arch: arch.into(),
            file: file.into(),
            speed: speed.into(),
            timeout: 90,
            methods: 1,
        }
    }

    #[test]
    fn file_and_method_names_map_to_test_names_by_one_rule() {
        assert_eq!(
            row("arm", "arm/test_aspeed_ast2500.py", "thorough").prefix(),
            "thorough::aspeed_ast2500::"
        );
        assert_eq!(
            row("ppc", "ppc/test_74xx.py", "quick").prefix(),
            "quick::_74xx::"
        );
        assert_eq!(
            row("x86_64", "generic/test_vmstate.py", "quick").prefix(),
            "quick::vmstate::"
        );
        assert_eq!(
            row("generic", "generic/test_version.py", "quick").prefix(),
            "version::"
        );
    }

    #[test]
    fn rstest_cases_of_one_method_count_once() {
        let tests: BTreeSet<&str> = [
            "thorough::virt::boots::case_1_gicv2",
            "thorough::virt::boots::case_2_gicv3",
            "thorough::virt::reboots",
            "thorough::virtio::other",
        ]
        .into();
        assert_eq!(methods_in(Some(&tests), "thorough::virt::"), 2);
    }

    #[test]
    fn body_lines_count_code_inside_the_function_only() {
        let source = "#[qemu_test]\nfn boots(mut vm: Machine) -> TestResult {\n    // why\n    vm.set_machine(\"virt\")?;\n\n    vm.launch()?;\n    Ok(())\n}\nfn other() {}\n";
        assert_eq!(body_lines(source, "boots"), Some(3));
        assert_eq!(body_lines(source, "missing"), None);
    }

    #[test]
    fn the_catalogue_and_its_reasons_read() {
        let rows = catalogue().unwrap();
        assert!(rows.len() >= 190, "{} rows", rows.len());
        let unported = not_ported().unwrap();
        for file in unported.keys() {
            assert!(
                rows.iter().any(|row| &row.file == file),
                "{file} is not in the catalogue"
            );
        }
    }
}
