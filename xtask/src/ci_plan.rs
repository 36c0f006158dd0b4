//! `cargo xtask ci-plan`: build once, run in N jobs. One nextest archive of
//! the whole workspace; one partition of it run from that archive in a
//! directory of its own (as a GitLab job that downloaded it sees it); the
//! partitions' results merged by `ci_merge`. No scheduler of our own:
//! nextest partitions, GitLab's `parallel:` runs the jobs.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, bail};

use crate::flags::{CiArchive, CiPlan, CiPlanCommand, CiRun};
use crate::nextest::{cargo, workspace_root};

/// How a test is assigned to a partition: `slice`, measured against `hash`
/// on this suite (`cargo nextest list --workspace --profile thorough
/// --partition <scheme>:k/3`, each test's time from the 166 verdict records
/// of one earlier run here, 24.6 s of test time in all):
///
///   slice:k/3  253, 253, 252 tests;  8.4 s, 8.2 s, 8.0 s  (longest 1.02× the mean)
///   hash:k/3   246, 310, 202 tests;  5.2 s, 15.9 s, 3.6 s (longest 1.93× the mean)
///
/// slice deals the listed tests out in turn, so each partition gets every
/// third test of each module: the Linux boots of one crate, listed next to
/// each other, are spread over the jobs. hash puts whole runs of them in
/// one job by chance, and with a few hundred tests chance is lumpy.
pub const PARTITION_SCHEME: &str = "slice";

/// The default archive: what the build job makes and every test job reads.
pub fn default_archive() -> PathBuf {
    workspace_root().join("target/ci/tests.tar.zst")
}

impl CiPlan {
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            CiPlanCommand::Archive(archive) => archive.run(),
            CiPlanCommand::Run(run) => {
                let code = run.run()?;
                std::process::exit(code)
            }
            CiPlanCommand::Merge(merge) => merge.run(),
            CiPlanCommand::Costs(costs) => costs.run(),
        }
    }
}

impl CiArchive {
    pub fn run(self) -> anyhow::Result<()> {
        let out = self.out.unwrap_or_else(default_archive);
        make_archive(&out)?;
        let size = std::fs::metadata(&out)
            .with_context(|| format!("reading {}", out.display()))?
            .len();
        println!("ci-plan: archive {} ({size} bytes)", out.display());
        Ok(())
    }
}

/// What the archive holds: the workspace's tests but xtask's. xtask's own
/// tests drive cargo on the source tree (`ci-plan costs` lists the
/// workspace's binaries): run from an archive in a job's directory, they
/// would build the whole workspace again there. .ci/run runs them.
pub const ARCHIVE_ARGS: [&str; 5] = [
    "archive",
    "--workspace",
    "--exclude",
    "xtask",
    "--archive-file",
];

/// `cargo nextest archive --workspace --exclude xtask`: the build `cargo
/// nextest run --workspace` makes, so making the archive compiles nothing
/// more.
pub fn make_archive(out: &Path) -> anyhow::Result<()> {
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let status = cargo()
        .arg("nextest")
        .args(ARCHIVE_ARGS)
        .arg(out)
        .status()
        .context("running cargo nextest archive")?;
    if !status.success() {
        bail!(
            "cargo nextest archive --archive-file {} failed: {status}",
            out.display()
        );
    }
    Ok(())
}

/// What a partition's directory says about its run, written before the
/// tests start, so that a merge knows a partition that was killed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Plan {
    /// `hash:2/3`.
    pub partition: String,
    pub profile: String,
    /// The run id our verdict records are stored under.
    pub run_id: String,
    /// The records' directory, relative to the partition's directory when it
    /// is inside it (a GitLab artifact keeps relative paths only).
    pub records: PathBuf,
}

/// The plan.json of a partition's directory.
pub fn read_plan(dir: &Path) -> anyhow::Result<Plan> {
    let path = dir.join(PLAN_FILE);
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("reading {}", path.display()))
}

/// The files of a partition's directory.
pub const PLAN_FILE: &str = "plan.json";
/// nextest's libtest-json-plus events, one line each as the tests end: what
/// a killed partition leaves of the tests it finished.
pub const EVENTS_FILE: &str = "events.jsonl";

/// How nextest exited (`exit status: 100`), written when it returns: a
/// partition without it was killed.
pub const EXIT_FILE: &str = "nextest-exit";

/// Where nextest writes the partition's JUnit report, when it finishes.
pub fn junit_in(dir: &Path, profile: &str) -> PathBuf {
    dir.join("store").join(profile).join("junit.xml")
}

impl CiRun {
    /// Runs the partition; returns nextest's exit code.
    pub fn run(self) -> anyhow::Result<i32> {
        let partition = partition_arg(&self.partition)?;
        let archive = self.archive.unwrap_or_else(default_archive);
        let workspace = self.workspace.unwrap_or_else(workspace_root);
        let index = partition.split([':', '/']).nth(1).unwrap_or("1").to_owned();
        let dir = self
            .dir
            .unwrap_or_else(|| workspace_root().join(format!("target/ci/partition-{index}")));
        let dir = absolute(&dir)?;
        let archive = absolute(&archive)?;
        // The directory is this partition's: what an earlier run left in it
        // would be merged as this one's.
        for stale in [
            "store",
            "target",
            "extract",
            PLAN_FILE,
            EVENTS_FILE,
            EXIT_FILE,
            "nextest.toml",
        ] {
            let path = dir.join(stale);
            let _ = std::fs::remove_dir_all(&path);
            let _ = std::fs::remove_file(&path);
        }
        std::fs::create_dir_all(dir.join("extract"))
            .with_context(|| format!("creating {}", dir.display()))?;
        let config = dir.join("nextest.toml");
        write_config(&workspace, &dir.join("store"), &config)?;
        let run_id = format!(
            "ci-{}-{}-{}",
            partition.replace([':', '/'], "-"),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|elapsed| elapsed.as_secs())
                .unwrap_or_default(),
            std::process::id()
        );
        // Records go beneath the partition's directory, unless a QEMU build
        // tree holds every test's files (then the run id keeps them apart).
        let records = match std::env::var_os("QEMU_BUILD_ROOT").filter(|root| !root.is_empty()) {
            Some(root) => PathBuf::from(root)
                .join("tests/functional/results")
                .join(&run_id),
            None => PathBuf::from("target/functional/results").join(&run_id),
        };
        let plan = Plan {
            partition: partition.clone(),
            profile: self.profile.clone(),
            run_id: run_id.clone(),
            records,
        };
        let plan_path = dir.join(PLAN_FILE);
        std::fs::write(&plan_path, serde_json::to_vec_pretty(&plan)?)
            .with_context(|| format!("writing {}", plan_path.display()))?;
        let events_path = dir.join(EVENTS_FILE);
        let events = std::fs::File::create(&events_path)
            .with_context(|| format!("creating {}", events_path.display()))?;
        println!(
            "ci-plan: partition {partition} of {} into {}",
            archive.display(),
            dir.display()
        );
        let mut command = cargo();
        command
            .current_dir(&dir)
            .args(["nextest", "run", "--archive-file"])
            .arg(&archive)
            .arg("--workspace-remap")
            .arg(&workspace)
            .arg("--extract-to")
            .arg(dir.join("extract"))
            .arg("--extract-overwrite")
            .arg("--config-file")
            .arg(&config)
            .args(["--profile", &self.profile, "--partition", &partition])
            .args(["--no-fail-fast", "--message-format", "libtest-json-plus"])
            .env("NEXTEST_EXPERIMENTAL_LIBTEST_JSON", "1")
            .env("CARGO_TARGET_DIR", dir.join("target"))
            .env("QEMU_TEST_RUN_ID", &run_id)
            .stdout(Stdio::from(events));
        if let Some(jobs) = self.jobs {
            command.arg(format!("--test-threads={jobs}"));
        }
        let status = command.status().context("running cargo nextest run")?;
        // The merge tells a partition whose nextest gave up (a broken
        // archive, a full disk) from one whose runner was killed: only the
        // first gets here.
        let exit_path = dir.join(EXIT_FILE);
        std::fs::write(&exit_path, format!("{status}\n"))
            .with_context(|| format!("writing {}", exit_path.display()))?;
        // The extracted archive is the partition's copy of every test
        // binary (0.6 GB for this workspace): a job's results are its
        // records, JUnit and events, not the binaries.
        let _ = std::fs::remove_dir_all(dir.join("extract"));
        // The records are under our run id, not nextest's: say where, and
        // how to list them.
        println!(
            "ci-plan: partition {partition} ended ({status}); records of run {run_id} in {}; list them with `cargo xtask report --dir {}`",
            dir.join(&plan.records).display(),
            dir.display()
        );
        Ok(status.code().unwrap_or(1))
    }
}

/// `2/3` in the scheme this suite balances best with, or an explicit
/// `hash:2/3` / `slice:2/3`.
pub fn partition_arg(text: &str) -> anyhow::Result<String> {
    let (scheme, rest) = match text.split_once(':') {
        Some((scheme, rest)) => (scheme, rest),
        None => (PARTITION_SCHEME, text),
    };
    let numbers = rest
        .split_once('/')
        .and_then(|(k, n)| Some((k.parse::<u32>().ok()?, n.parse::<u32>().ok()?)));
    match (scheme, numbers) {
        ("hash" | "slice", Some((k, n))) if k >= 1 && k <= n => Ok(format!("{scheme}:{k}/{n}")),
        _ => bail!("partition `{text}` is not k/N, hash:k/N or slice:k/N with 1 <= k <= N"),
    }
}

/// The workspace's .config/nextest.toml with the store in `store`: several
/// partitions of one workspace must not write one JUnit file.
fn write_config(workspace: &Path, store: &Path, out: &Path) -> anyhow::Result<()> {
    let source = workspace.join(".config/nextest.toml");
    let text = std::fs::read_to_string(&source)
        .with_context(|| format!("reading {}", source.display()))?;
    let mut table: toml::Table = text
        .parse()
        .with_context(|| format!("reading {}", source.display()))?;
    let store_table = table
        .entry("store")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let Some(store_table) = store_table.as_table_mut() else {
        bail!("{}: [store] is not a table", source.display());
    };
    store_table.insert(
        "dir".into(),
        toml::Value::String(store.display().to_string()),
    );
    std::fs::write(out, toml::to_string(&table)?)
        .with_context(|| format!("writing {}", out.display()))
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("resolving {}", path.display()))
}

/// `cargo nextest list` of an archive: every test the profile runs (in one
/// partition, when given), as `(binary id, test name)`.
pub fn list_archive(
    archive: &Path,
    workspace: &Path,
    profile: &str,
    partition: Option<&str>,
) -> anyhow::Result<std::collections::BTreeSet<(String, String)>> {
    let extract = tempdir("xtask-ci-list")?;
    let mut command = cargo();
    command
        .args(["nextest", "list", "--archive-file"])
        .arg(archive)
        .arg("--workspace-remap")
        .arg(workspace)
        .arg("--extract-to")
        .arg(&extract)
        .args(["--profile", profile, "--message-format", "json"])
        .stderr(Stdio::inherit());
    if let Some(partition) = partition {
        command.args(["--partition", partition]);
    }
    let output = command.output().context("running cargo nextest list")?;
    let _ = std::fs::remove_dir_all(&extract);
    if !output.status.success() {
        bail!(
            "cargo nextest list --archive-file {} --profile {profile} failed",
            archive.display()
        );
    }
    let summary =
        nextest_metadata::TestListSummary::parse_json(String::from_utf8_lossy(&output.stdout))
            .context("reading cargo nextest list's JSON")?;
    Ok(summary
        .rust_suites
        .into_values()
        .flat_map(|suite| {
            let id = suite.binary.binary_id.to_string();
            suite
                .test_cases
                .into_iter()
                .filter(|(_, case)| case.filter_match.is_match())
                .map(move |(name, _)| (id.clone(), name.to_string()))
        })
        .collect())
}

fn tempdir(prefix: &str) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "{prefix}-{}-{:?}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partition_is_k_of_n_in_our_scheme_unless_named() {
        assert_eq!(
            partition_arg("2/3").unwrap(),
            format!("{PARTITION_SCHEME}:2/3")
        );
        assert_eq!(partition_arg("slice:1/3").unwrap(), "slice:1/3");
        for bad in ["0/3", "4/3", "count:1/2", "x", "1/"] {
            let err = partition_arg(bad).unwrap_err().to_string();
            assert!(err.contains(bad), "{err}");
        }
    }

    /// A partition running xtask's tests rebuilt the whole workspace into
    /// its directory (seen in .ci/scale-check): the archive leaves them out.
    #[test]
    fn the_archive_leaves_out_the_tests_that_need_the_source_tree() {
        let args = ARCHIVE_ARGS.join(" ");
        assert!(args.contains("--workspace --exclude xtask"), "{args}");
    }

    #[test]
    fn the_partition_config_moves_only_the_store() {
        let dir = tempdir("xtask-ci-config").unwrap();
        let out = dir.join("nextest.toml");
        write_config(&workspace_root(), &dir.join("store"), &out).unwrap();
        let written: toml::Table = std::fs::read_to_string(&out).unwrap().parse().unwrap();
        let original: toml::Table =
            std::fs::read_to_string(workspace_root().join(".config/nextest.toml"))
                .unwrap()
                .parse()
                .unwrap();
        assert_eq!(
            written["store"]["dir"].as_str(),
            Some(dir.join("store").to_str().unwrap())
        );
        assert_eq!(written["profile"], original["profile"]);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
