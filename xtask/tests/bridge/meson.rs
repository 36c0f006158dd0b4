//! A real meson project that `subdir()`s a generated bridge for the cases:
//! `meson test --list` shows the module, `meson test` reports the subtests,
//! shows the skip with its reason, and fails because one case fails.

use std::path::Path;
use std::process::{Command, Output};

use qemu_fixtures::prelude::*;

use crate::{this_binary, xtask};

fn run(command: &mut Command) -> Result<Output, TestError> {
    command
        .output()
        .map_err(|err| TestError::io(format!("running {command:?}"), err))
}

#[qemu_test]
fn meson_reports_subtests_and_fails_on_a_failing_one(env: std::sync::Arc<TestEnv>) -> TestResult {
    skip::require_commands(&["meson", "ninja"])?;
    let project = env.scratch_file(["project"]);
    std::fs::create_dir_all(project.join("functional"))
        .map_err(|err| TestError::io("mkdir", err))?;
    std::fs::write(
        project.join("meson.build"),
        "project('bridge-check', meson_version: '>=0.63')\nsubdir('functional')\n",
    )
    .map_err(|err| TestError::io("writing meson.build", err))?;
    let generated = run(Command::new(xtask())
        .args(["meson-bridge", "--ignored", "--out"])
        .arg(project.join("functional"))
        .arg("--binary")
        .arg(format!("xtask={}", this_binary().display())))?;
    ensure!(
        generated.status.success(),
        "meson-bridge failed: {generated:?}"
    );
    let build = project.join("build");
    let setup = run(Command::new("meson").arg("setup").arg(&build).arg(&project))?;
    ensure!(
        setup.status.success(),
        "meson setup failed: {}",
        String::from_utf8_lossy(&setup.stdout)
    );
    let arch = std::env::consts::ARCH;
    let list = run(Command::new("meson")
        .args(["test", "--list", "-C"])
        .arg(&build))?;
    let listed = String::from_utf8_lossy(&list.stdout);
    ensure!(
        listed.contains(&format!("func-{arch}-cases")),
        "meson test --list: {listed}"
    );
    let test = run(Command::new("meson")
        .args(["test", "--suite", "func-quick", "-v", "-C"])
        .arg(&build))?;
    let stdout = String::from_utf8_lossy(&test.stdout);
    ensure!(
        !test.status.success(),
        "meson test passed although a case fails:\n{stdout}"
    );
    for expected in [
        "cases::passes",
        "cases::skips",
        "cases::fails",
        "deliberately skipped",
    ] {
        ensure!(
            stdout.contains(expected),
            "meson's output lacks {expected:?}:\n{stdout}"
        );
    }
    let log =
        std::fs::read_to_string(build.join("meson-logs").join("testlog.txt")).unwrap_or_default();
    ensure!(
        log.contains("deliberate failure for the bridge tests"),
        "meson's log lacks the failure"
    );
    env.log(format_args!("meson test:\n{stdout}"));
    let _ = Path::new(&build);
    Ok(())
}
