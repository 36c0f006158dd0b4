//! `cargo xtask ci-plan run` and `merge` on a small workspace of their own:
//! partitions run from an archive moved elsewhere (as a GitLab job gets
//! it), merged into one report with every test once; a partition killed
//! halfway is reported with the tests it never ran.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::xtask;

const LIB: &str = r#"
#[cfg(test)]
mod tests {
    #[test]
    fn a_passes() {}

    #[test]
    fn b_fails() {
        panic!("b fails on purpose");
    }

    /// With FX_HOLD set: says it started, then holds until released (at
    /// most two minutes), so that its partition can be killed meanwhile.
    #[test]
    fn c_holds() {
        let Some(dir) = std::env::var_os("FX_HOLD") else { return };
        let dir = std::path::PathBuf::from(dir);
        std::fs::write(dir.join("started"), b"").unwrap();
        let start = std::time::Instant::now();
        while !dir.join("release").exists() && start.elapsed().as_secs() < 120 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    #[test]
    fn d_later() {}

    #[test]
    #[ignore]
    fn e_ignored() {}
}
"#;

/// A one-crate workspace with the tests above, archived; the archive is
/// then moved out of the workspace's target directory.
struct Fixture {
    root: PathBuf,
    workspace: PathBuf,
    archive: PathBuf,
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        let root = std::env::temp_dir().join(format!("xtask-ci-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let workspace = root.join("workspace");
        std::fs::create_dir_all(workspace.join("src")).unwrap();
        std::fs::create_dir_all(workspace.join(".config")).unwrap();
        std::fs::write(
            workspace.join("Cargo.toml"),
            "[package]\nname = \"fx\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n",
        )
        .unwrap();
        std::fs::write(workspace.join("src/lib.rs"), LIB).unwrap();
        std::fs::write(
            workspace.join(".config/nextest.toml"),
            "[store]\ndir = \"target/nextest\"\n[profile.default.junit]\npath = \"junit.xml\"\n",
        )
        .unwrap();
        let built = workspace.join("target/fx.tar.zst");
        let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(&workspace)
            // This test may itself run under `--profile thorough`, which
            // nextest passes on as NEXTEST_PROFILE; the fixture has only
            // the default profile.
            .env_remove("NEXTEST_PROFILE")
            .args(["nextest", "archive", "--workspace", "--archive-file"])
            .arg(&built)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", text(&output));
        // Elsewhere, as a job downloads it; the build is gone.
        let archive = root.join("elsewhere/fx.tar.zst");
        std::fs::create_dir_all(archive.parent().unwrap()).unwrap();
        std::fs::rename(&built, &archive).unwrap();
        std::fs::remove_dir_all(workspace.join("target")).unwrap();
        Fixture {
            root,
            workspace,
            archive,
        }
    }

    fn run(&self, partition: &str, dir: &Path) -> Command {
        self.run_archive(partition, dir, &self.archive)
    }

    fn run_archive(&self, partition: &str, dir: &Path, archive: &Path) -> Command {
        let mut command = Command::new(xtask());
        command
            .args([
                "ci-plan",
                "run",
                "--profile",
                "default",
                "--partition",
                partition,
            ])
            .arg("--archive")
            .arg(archive)
            .arg("--workspace")
            .arg(&self.workspace)
            .arg("--dir")
            .arg(dir);
        command
    }

    fn merge(&self, dirs: &[&Path], out: &Path) -> Output {
        Command::new(xtask())
            .args(["ci-plan", "merge"])
            .args(dirs)
            .arg("--archive")
            .arg(&self.archive)
            .arg("--workspace")
            .arg(&self.workspace)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn partitions_from_a_moved_archive_merge_into_every_test_once() {
    let fx = Fixture::new("moved");
    let (p1, p2) = (fx.root.join("job-1"), fx.root.join("job-2"));
    for (partition, dir) in [("slice:1/2", &p1), ("slice:2/2", &p2)] {
        let output = fx.run(partition, dir).output().unwrap();
        assert!(
            dir.join("store/default/junit.xml").is_file(),
            "{}",
            text(&output)
        );
        let said = format!(
            "list them with `cargo xtask report --dir {}`",
            dir.display()
        );
        assert!(text(&output).contains(&said), "{}", text(&output));
        // The binaries extracted for the run are gone; its results stay.
        assert!(!dir.join("extract").exists(), "{}", text(&output));
    }
    // One partition alone: its records are under ci-plan's run id, which
    // `report --dir` reads from its plan.json.
    let report = Command::new(xtask())
        .args(["report", "--dir"])
        .arg(&p2)
        .output()
        .unwrap();
    let listing = text(&report);
    assert_eq!(report.status.code(), Some(1), "b fails: {listing}");
    assert!(listing.contains("(partition slice:2/2)"), "{listing}");
    assert!(listing.contains("FAIL  fx tests::b_fails"), "{listing}");
    assert!(
        listing.contains("2 tests: 1 passed, 0 skipped, 0 expected failures, 1 failed"),
        "{listing}"
    );

    let out = fx.root.join("merged");
    let merged = fx.merge(&[&p1, &p2], &out);
    assert_eq!(merged.status.code(), Some(1), "b fails: {}", text(&merged));
    let verdicts = std::fs::read_to_string(out.join("verdicts.tsv")).unwrap();
    assert_eq!(
        verdicts,
        "fx\ttests::a_passes\tpass\nfx\ttests::b_fails\tfail\nfx\ttests::c_holds\tpass\nfx\ttests::d_later\tpass\n"
    );
    let tap = std::fs::read_to_string(out.join("results.tap")).unwrap();
    assert!(tap.starts_with("TAP version 13\n1..4\n"), "{tap}");
    assert!(tap.contains("not ok 2 - fx tests::b_fails"), "{tap}");
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), 4, "{junit}");
    let listing = text(&merged);
    assert!(
        listing.contains("4 tests: 3 passed, 0 skipped, 0 expected failures, 1 failed"),
        "{listing}"
    );
    assert!(!listing.contains("ERROR"), "{listing}");

    // The same partition twice: its tests ran twice, and 2/2 is missing.
    let twice = fx.merge(&[&p1, &p1], &fx.root.join("twice"));
    let twice = text(&twice);
    assert!(
        twice.contains("ERROR partition slice:1/2 is given twice"),
        "{twice}"
    );
    assert!(
        twice.contains("ran in 2 partitions: slice:1/2, slice:1/2"),
        "{twice}"
    );
    assert!(
        twice.contains("ERROR partition slice:2/2 has no results"),
        "{twice}"
    );
    assert!(twice.contains("was lost: no partition ran it"), "{twice}");
}

#[test]
fn a_partition_killed_halfway_is_reported_with_the_tests_it_never_ran() {
    let fx = Fixture::new("killed");
    let dir = fx.root.join("job-1");
    let hold = fx.root.join("hold");
    std::fs::create_dir_all(&hold).unwrap();
    let mut job = fx
        .run("1/1", &dir)
        .args(["--jobs", "1"])
        .env("FX_HOLD", &hold)
        .process_group(0)
        .spawn()
        .unwrap();
    // The runner dies while c_holds runs: a, b have ended, d never starts.
    let start = Instant::now();
    while !hold.join("started").exists() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "c_holds never started"
        );
        if let Some(status) = job.try_wait().unwrap() {
            panic!("the partition ended before c_holds started: {status}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    unsafe { libc::kill(-(job.id() as i32), libc::SIGKILL) };
    job.wait().unwrap();
    // Whatever of the group outlived the signal ends here.
    std::fs::write(hold.join("release"), b"").unwrap();
    assert!(!dir.join("store/default/junit.xml").exists());

    let out = fx.root.join("merged");
    let merged = fx.merge(&[&dir], &out);
    let listing = text(&merged);
    assert_eq!(merged.status.code(), Some(1), "{listing}");
    assert!(
        listing.contains(
            "ERROR partition slice:1/1 was killed halfway: 2 of its tests never finished"
        ),
        "{listing}"
    );
    assert!(
        listing.contains(
            "fx tests::c_holds: did not end: partition slice:1/1 was killed while it ran"
        ),
        "{listing}"
    );
    assert!(
        listing.contains("fx tests::d_later: never ran: partition slice:1/1 was killed before it"),
        "{listing}"
    );
    let verdicts = std::fs::read_to_string(out.join("verdicts.tsv")).unwrap();
    assert_eq!(
        verdicts,
        "fx\ttests::a_passes\tpass\nfx\ttests::b_fails\tfail\nfx\ttests::c_holds\tfail\nfx\ttests::d_later\tfail\n"
    );
}

#[test]
fn a_partition_whose_nextest_gave_up_is_told_from_a_killed_one() {
    let fx = Fixture::new("gave-up");
    // The job's download was cut short: nextest cannot extract it.
    let bytes = std::fs::read(&fx.archive).unwrap();
    let truncated = fx.root.join("truncated.tar.zst");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let dir = fx.root.join("job-1");
    let output = fx.run_archive("1/1", &dir, &truncated).output().unwrap();
    assert_ne!(output.status.code(), Some(0), "{}", text(&output));

    let merged = fx.merge(&[&dir], &fx.root.join("merged"));
    let listing = text(&merged);
    assert_eq!(merged.status.code(), Some(1), "{listing}");
    assert!(
        listing
            .contains("ERROR partition slice:1/1 ended without its report: nextest exit status: "),
        "{listing}"
    );
    assert!(
        listing.contains("4 of its tests never finished"),
        "{listing}"
    );
    assert!(
        listing.contains(
            "fx tests::a_passes: never ran: nextest of partition slice:1/1 ended (exit status: "
        ),
        "{listing}"
    );
    assert!(!listing.contains("was killed"), "{listing}");
}
