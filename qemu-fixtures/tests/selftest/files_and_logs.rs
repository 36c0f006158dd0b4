//! A test's files: the log directory and what each log holds, the path
//! helpers, scratch kept or removed, a directory per retry, and a skip
//! printed and recorded with its reason.

use std::path::{Path, PathBuf};

use qemu_fixtures::harness::outcome::{read_records, results_root};
use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::guest::Then;

use crate::support::{boot_message, handoff_file, run_scenario};

fn read(path: &Path) -> Result<String, TestError> {
    std::fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|err| TestError::io(format!("reading {}", path.display()), err))
}

#[qemu_test]
fn logs_hold_the_command_line_qmp_console_and_stderr(mut vm: Machine) -> TestResult {
    boot_message(&mut vm, "banner of the guest\r\n", Then::Halt)?;
    // A warning QEMU prints on stderr: an unused -global.
    vm.args(["-global", "no-such-driver.prop=1"]).launch()?;
    vm.console().wait_for("banner of the guest")?;
    vm.shutdown()?;
    let dir = vm.env().log_dir().to_path_buf();
    ensure!(
        dir.ends_with(
            "functional/x86_64/files_and_logs.logs_hold_the_command_line_qmp_console_and_stderr"
        ),
        "log directory {}",
        dir.display()
    );
    let base = read(&dir.join("base.log"))?;
    for expected in [
        "launching: ",
        "-machine pc",
        "-bios ",
        "qmp >>> {\"execute\":\"qmp_capabilities\"",
        "qmp <<< {\"QMP\":",
        "console: matched \"banner of the guest\"",
        "QEMU exited with code 0",
    ] {
        ensure!(
            base.contains(expected),
            "base.log lacks {expected:?}:\n{base}"
        );
    }
    let console = read(&dir.join("console.log"))?;
    ensure!(
        console.contains("banner of the guest"),
        "console.log: {console:?}"
    );
    let output = read(&dir.join("default.log"))?;
    ensure!(
        output.contains("no-such-driver"),
        "default.log lacks QEMU's warning: {output:?}"
    );
    Ok(())
}

#[qemu_test]
fn paths_are_built_from_components(env: std::sync::Arc<TestEnv>) -> TestResult {
    let scratch = env.scratch_file(["a", "b.img"]);
    ensure!(
        scratch == env.log_dir().join("scratch").join("a").join("b.img"),
        "{}",
        scratch.display()
    );
    ensure!(
        scratch.parent().is_some_and(Path::is_dir),
        "the parent of a scratch file exists"
    );
    let log = env.log_file(["extra.log"]);
    ensure!(log == env.log_dir().join("extra.log"), "{}", log.display());
    let socket = env.socket_file("qmp.sock");
    ensure!(
        socket.as_os_str().len() < 60,
        "socket path too long: {}",
        socket.display()
    );
    ensure!(
        env.data_file(["x.bin"])
            .ends_with("qemu-fixtures/tests/data/x.bin"),
        "{}",
        env.data_file(["x.bin"]).display()
    );
    Ok(())
}

fn scenario_with_handoff(
    env: &TestEnv,
    scenario: &str,
    extra: &[(&str, &str)],
) -> Result<(std::process::Output, PathBuf), TestError> {
    let handoff = handoff_file(env, scenario);
    let mut envs = vec![("QEMU_TEST_HANDOFF", handoff.to_str().expect("utf-8 path"))];
    envs.extend_from_slice(extra);
    let output = run_scenario(scenario, &envs);
    let written = PathBuf::from(read(&handoff)?);
    Ok((output, written))
}

#[qemu_test]
fn scratch_is_removed_after_a_pass(env: std::sync::Arc<TestEnv>) -> TestResult {
    let (output, file) = scenario_with_handoff(&env, "writes_scratch_and_passes", &[])?;
    ensure!(output.status.success(), "scenario failed: {output:?}");
    ensure!(!file.exists(), "{} survived a pass", file.display());
    let (output, file) = scenario_with_handoff(
        &env,
        "writes_scratch_and_passes",
        &[("QEMU_TEST_KEEP_SCRATCH", "1")],
    )?;
    ensure!(output.status.success(), "scenario failed: {output:?}");
    ensure!(
        file.exists(),
        "{} removed despite QEMU_TEST_KEEP_SCRATCH",
        file.display()
    );
    Ok(())
}

#[qemu_test]
fn scratch_is_kept_on_failure(env: std::sync::Arc<TestEnv>) -> TestResult {
    let (output, file) = scenario_with_handoff(&env, "writes_scratch_and_fails", &[])?;
    ensure!(!output.status.success(), "the failing scenario passed");
    ensure!(
        file.exists(),
        "{} was removed after a failure",
        file.display()
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(
        stderr.contains("FAIL: check failed: deliberate failure")
            && stderr.contains("logs: ")
            && stderr.contains("scenario.writes_scratch_and_fails"),
        "the failure does not say where its logs are: {stderr}"
    );
    Ok(())
}

#[qemu_test]
fn every_retry_keeps_its_own_log_directory(env: std::sync::Arc<TestEnv>) -> TestResult {
    let (_, first) = scenario_with_handoff(
        &env,
        "writes_scratch_and_fails",
        &[("NEXTEST_ATTEMPT", "1")],
    )?;
    let (_, second) = scenario_with_handoff(
        &env,
        "writes_scratch_and_fails",
        &[("NEXTEST_ATTEMPT", "2")],
    )?;
    let first_dir = first.ancestors().nth(3).expect("log dir").to_path_buf();
    let second_dir = second.ancestors().nth(3).expect("log dir").to_path_buf();
    ensure!(
        first_dir != second_dir,
        "both attempts wrote {}",
        first_dir.display()
    );
    ensure!(
        second_dir
            .to_string_lossy()
            .ends_with("scenario.writes_scratch_and_fails.attempt-2"),
        "{}",
        second_dir.display()
    );
    ensure!(
        first_dir.join("base.log").exists() && second_dir.join("base.log").exists(),
        "the first attempt's logs did not survive the retry"
    );
    Ok(())
}

#[qemu_test]
fn a_skip_says_why_and_is_recorded(env: std::sync::Arc<TestEnv>) -> TestResult {
    let run = format!("skip-{}", std::process::id());
    // No QEMU installed at all: the variable unset, nothing on PATH.
    let output = run_scenario(
        "needs_qemu",
        &[
            ("QEMU_TEST_QEMU_BINARY", ""),
            ("QEMU_BUILD_ROOT", ""),
            ("PATH", ""),
            ("QEMU_TEST_RUN_ID", &run),
        ],
    );
    ensure!(output.status.success(), "a skip must not fail: {output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let reason = "no qemu-system-x86_64: set QEMU_TEST_QEMU_BINARY or QEMU_BUILD_ROOT, or install it (bash .ci/setup)";
    ensure!(
        stderr.contains(&format!("SKIP: {reason}")),
        "stderr: {stderr}"
    );
    let records = read_records(&results_root().join(&run))
        .map_err(|err| TestError::io("reading the run's records", err))?;
    ensure!(
        records.len() == 1 && records[0].verdict == "skip" && records[0].message == reason,
        "records: {records:?}"
    );
    env.log(format_args!("skip recorded: {:?}", records[0]));
    Ok(())
}

#[qemu_test]
fn precache_on_a_test_run_fetches_every_declared_asset_first(
    env: std::sync::Arc<TestEnv>,
) -> TestResult {
    // This binary declares one asset, a file:// one the test provides.
    let corrupt = Path::new(crate::scenario::CORRUPT_PATH);
    std::fs::create_dir_all(corrupt.parent().expect("a directory"))
        .map_err(|err| TestError::io("mkdir", err))?;
    std::fs::write(corrupt, crate::scenario::CORRUPT_BYTES)
        .map_err(|err| TestError::io("write", err))?;
    let cache = env.scratch_file(["cache"]);
    let output = run_scenario(
        "writes_scratch_and_passes",
        &[
            ("QEMU_TEST_PRECACHE", "1"),
            ("QEMU_TEST_CACHE_DIR", cache.to_str().expect("utf-8")),
            (
                "QEMU_TEST_HANDOFF",
                handoff_file(&env, "unused").to_str().expect("utf-8"),
            ),
        ],
    );
    ensure!(output.status.success(), "the scenario failed: {output:?}");
    let hash = qemu_fixtures::assets::hash_file(corrupt, qemu_fixtures::assets::Algorithm::Sha256)
        .map_err(|err| TestError::io("hash", err))?;
    ensure!(
        cache.join("download").join(&hash).is_file(),
        "the declared asset was not fetched before the test ran"
    );
    Ok(())
}

const BITS_TESTS: [&str; 4] = ["tests", "functional", "acpi-bits", "bits-tests"];
const BITS_CONFIG: [&str; 5] = [
    "tests",
    "functional",
    "acpi-bits",
    "bits-config",
    "bits-cfg.txt",
];

#[qemu_test]
#[ignore = "a scenario: files_and_logs::source_tree_lookups_tell_directories_from_files runs it"]
fn looks_up_the_source_tree(_env: std::sync::Arc<TestEnv>) -> TestResult {
    use qemu_fixtures::guests::vmstate::{source_dir, source_file};
    let root = std::env::var("QEMU_SOURCE_ROOT").unwrap_or_default();
    let dir = source_dir(BITS_TESTS)?;
    ensure!(
        dir == Path::new(&root).join(BITS_TESTS.join("/")),
        "source_dir gave {}",
        dir.display()
    );
    ensure!(
        source_file(BITS_CONFIG).is_ok(),
        "source_file lost the file"
    );
    let file_as_dir = source_dir(BITS_CONFIG).map_err(|skip| skip.reason().to_owned());
    ensure!(
        file_as_dir
            .as_ref()
            .is_err_and(|reason| reason.contains("has no")),
        "a file is no directory: {file_as_dir:?}"
    );
    source_dir(["tests", "functional", "no-such-dir"])?;
    Ok(())
}

#[qemu_test]
fn source_tree_lookups_tell_directories_from_files(env: std::sync::Arc<TestEnv>) -> TestResult {
    let root = env.scratch_file(["qemu"]);
    let config = root.join(BITS_CONFIG.join("/"));
    std::fs::create_dir_all(root.join(BITS_TESTS.join("/")))
        .and_then(|()| std::fs::create_dir_all(config.parent().expect("a parent")))
        .and_then(|()| std::fs::write(&config, "# bits config\n"))
        .map_err(|err| TestError::io("building a source tree", err))?;
    let root = root.to_str().expect("utf-8");
    let scenario = "files_and_logs::looks_up_the_source_tree";
    let output = crate::support::ignored_test_command(scenario, &[("QEMU_SOURCE_ROOT", root)])
        .output()
        .map_err(|err| TestError::io("running the scenario", err))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(
        output.status.success()
            && stderr.contains(&format!(
                "SKIP: QEMU's source tree {root} has no tests/functional/no-such-dir"
            )),
        "with a source tree: {stderr}"
    );
    let output = crate::support::ignored_test_command(
        scenario,
        &[("QEMU_SOURCE_ROOT", ""), ("QEMU_BUILD_ROOT", "")],
    )
    .output()
    .map_err(|err| TestError::io("running the scenario", err))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(
        output.status.success()
            && stderr.contains(
                "SKIP: needs tests/functional/acpi-bits/bits-tests from QEMU's source tree: set QEMU_SOURCE_ROOT"
            ),
        "without a source tree: {stderr}"
    );
    Ok(())
}
