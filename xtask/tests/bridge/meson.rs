//! A real meson project shaped like QEMU's top level (`target_dirs` with two
//! system targets, `emulators` built from a wrapper, `test_deps`, the
//! `tcg_interpreter` option) `subdir()`s a bridge generated for a small
//! cargo workspace of three arch crates: only the two configured targets get
//! tests, each against the build's emulator; cargo rebuilds a changed test
//! through meson; `-t 3` reaches each test; TCI runs nothing.

use std::path::Path;
use std::process::{Command, Output};

use qemu_fixtures::prelude::*;

use crate::xtask;

fn run(command: &mut Command) -> Result<Output, TestError> {
    command
        .output()
        .map_err(|err| TestError::io(format!("running {command:?}"), err))
}

fn write(path: &Path, text: &str) -> Result<(), TestError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|err| TestError::io("mkdir", err))?;
    }
    std::fs::write(path, text).map_err(|err| TestError::io(format!("writing {path:?}"), err))
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A case that checks it runs against the build's emulator.
const CASES: &str = r#"
mod cases {
    #[test]
    fn runs_against_the_builds_emulator() {
        let binary = std::env::var("QEMU_TEST_QEMU_BINARY").expect("QEMU_TEST_QEMU_BINARY");
        let root = std::env::var("QEMU_BUILD_ROOT").expect("QEMU_BUILD_ROOT");
        assert!(binary.starts_with(&root), "{binary} is not in {root}");
        assert!(std::path::Path::new(&binary).is_file(), "{binary} was not built");
    }
}
"#;

/// Needs 3 s; its nextest timeout is 2 s. On SIGTERM it says so, as our
/// framework does.
const SLOW: &str = r#"
mod slow_cases {
    unsafe extern "C" {
        fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;
        fn write(fd: i32, buf: *const u8, count: usize) -> isize;
        fn _exit(code: i32) -> !;
    }
    extern "C" fn on_sigterm(_: i32) {
        let message = b"slow case: stopped by SIGTERM before its 3 s\n";
        unsafe {
            write(2, message.as_ptr(), message.len());
            _exit(1)
        }
    }
    #[test]
    fn needs_three_seconds() {
        unsafe { signal(15, on_sigterm) };
        std::thread::sleep(std::time::Duration::from_secs(3));
    }
}
"#;

fn workspace(dir: &Path) -> Result<(), TestError> {
    write(
        &dir.join("Cargo.toml"),
        "[workspace]\nmembers = [\"arch-x86_64\", \"arch-aarch64\", \"arch-riscv64\"]\nresolver = \"2\"\n",
    )?;
    write(
        &dir.join(".config/nextest.toml"),
        "[profile.default]\nslow-timeout = { period = \"30s\", terminate-after = 4 }\n\
         [[profile.default.overrides]]\nfilter = \"test(/^slow_cases::/)\"\n\
         slow-timeout = { period = \"1s\", terminate-after = 2 }\n\
         [profile.quick]\ndefault-filter = \"not test(/^slow_cases::/)\"\n",
    )?;
    for arch in ["x86_64", "aarch64", "riscv64"] {
        let crate_dir = dir.join(format!("arch-{arch}"));
        write(
            &crate_dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"arch-{arch}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                 [[test]]\nname = \"functional\"\npath = \"tests/functional.rs\"\n"
            ),
        )?;
        write(&crate_dir.join("src/lib.rs"), "")?;
        let slow = if arch == "x86_64" { SLOW } else { "" };
        write(
            &crate_dir.join("tests/functional.rs"),
            &format!("{CASES}{slow}"),
        )?;
    }
    Ok(())
}

/// QEMU's top level, reduced to what the bridge uses.
fn project(dir: &Path) -> Result<(), TestError> {
    write(
        &dir.join("meson.build"),
        "project('qemu-shaped', 'c', meson_version: '>=0.63')\n\
         target_dirs = ['x86_64-softmmu', 'aarch64-softmmu']\n\
         emulators = {}\n\
         foreach dir : target_dirs\n  \
           arch = dir.split('-')[0]\n  \
           emulators += {'qemu-system-' + arch: executable('qemu-system-' + arch, 'wrapper.c',\n    \
             c_args: ['-DQEMU=\"/usr/bin/qemu-system-' + arch + '\"'])}\n\
         endforeach\n\
         test_deps = [custom_target('roms', output: 'roms.stamp', command: ['touch', '@OUTPUT@'])]\n\
         subdir('functional')\n",
    )?;
    write(
        &dir.join("meson_options.txt"),
        "option('tcg_interpreter', type: 'boolean', value: false)\n",
    )?;
    write(
        &dir.join("wrapper.c"),
        "#include <unistd.h>\nint main(int argc, char **argv) { (void)argc; execv(QEMU, argv); return 127; }\n",
    )
}

#[qemu_test]
fn a_qemu_shaped_build_runs_its_targets_tests_rebuilt_and_scaled(
    env: std::sync::Arc<TestEnv>,
) -> TestResult {
    skip::require_commands(&["meson", "ninja", "cc"])?;
    let cargo_workspace = env.scratch_file(["workspace"]);
    workspace(&cargo_workspace)?;
    let project_dir = env.scratch_file(["project"]);
    project(&project_dir)?;
    let generated = run(Command::new(xtask())
        .args(["meson-bridge", "--out"])
        .arg(project_dir.join("functional"))
        .arg("--workspace")
        .arg(&cargo_workspace))?;
    ensure!(
        generated.status.success(),
        "meson-bridge failed: {}",
        text(&generated)
    );
    let build = project_dir.join("build");
    let setup = run(Command::new("meson")
        .arg("setup")
        .arg(&build)
        .arg(&project_dir))?;
    ensure!(
        setup.status.success(),
        "meson setup failed: {}",
        text(&setup)
    );
    let meson_test = |args: &[&str]| {
        run(Command::new("meson")
            .arg("test")
            .arg("-C")
            .arg(&build)
            .args(args))
    };

    // Tests for exactly the configured targets.
    let list = meson_test(&["--list"])?;
    let listed = text(&list);
    for expected in [
        "func-x86_64-cases",
        "func-aarch64-cases",
        "func-x86_64-slow_cases",
    ] {
        ensure!(
            listed.contains(expected),
            "no {expected} in meson test --list: {listed}"
        );
    }
    ensure!(
        !listed.contains("riscv64"),
        "riscv64 is not configured: {listed}"
    );

    // The emulator is rebuilt before the test that needs it.
    let _ = std::fs::remove_file(build.join("qemu-system-x86_64"));
    let quick = meson_test(&["--suite", "func-quick", "-v"])?;
    ensure!(
        quick.status.success(),
        "func-quick failed: {}",
        text(&quick)
    );

    // Without -t the slow case is killed at its 2 s, and says so.
    let killed = meson_test(&["func-x86_64-slow_cases", "-v"])?;
    let killed_text = text(&killed);
    ensure!(
        !killed.status.success(),
        "the slow case passed unscaled: {killed_text}"
    );
    let log = std::fs::read_to_string(build.join("meson-logs/testlog.txt")).unwrap_or_default();
    ensure!(
        log.contains("not ok 1 - slow_cases::needs_three_seconds"),
        "no TAP line for the killed case: {log}"
    );
    ensure!(
        log.contains("slow case: stopped by SIGTERM"),
        "the case's own failure message is not in meson's log: {log}"
    );
    // `-t 3` gives it 6 s.
    let scaled = meson_test(&["-t", "3", "func-x86_64-slow_cases", "-v"])?;
    ensure!(
        scaled.status.success(),
        "-t 3 did not reach the test: {}",
        text(&scaled)
    );

    // A changed test source is rebuilt by cargo through meson and runs.
    let source = cargo_workspace.join("arch-aarch64/tests/functional.rs");
    write(
        &source,
        &CASES.replace(
            "let binary",
            "assert!(false, \"the changed case ran\");\n        let binary",
        ),
    )?;
    let changed = meson_test(&["func-aarch64-cases", "-v"])?;
    ensure!(
        !changed.status.success(),
        "the changed case did not run: {}",
        text(&changed)
    );
    let log = std::fs::read_to_string(build.join("meson-logs/testlog.txt")).unwrap_or_default();
    ensure!(
        log.contains("the changed case ran"),
        "meson ran a stale binary: {log}"
    );

    // A new module: the build says to regenerate instead of running.
    write(
        &source,
        &format!("{CASES}\nmod added {{ #[test] fn new() {{}} }}\n"),
    )?;
    let added = meson_test(&["func-aarch64-cases"])?;
    let added_text = text(&added);
    ensure!(
        !added.status.success()
            && added_text.contains("arch-aarch64::added is new")
            && added_text.contains("cargo xtask meson-bridge --out"),
        "a new module must ask for regeneration: {added_text}"
    );

    // TCI: nothing, as in QEMU's file.
    let tci = project_dir.join("build-tci");
    let setup = run(Command::new("meson")
        .arg("setup")
        .arg("-Dtcg_interpreter=true")
        .arg(&tci)
        .arg(&project_dir))?;
    ensure!(
        setup.status.success(),
        "meson setup (TCI) failed: {}",
        text(&setup)
    );
    let list = run(Command::new("meson")
        .args(["test", "--list", "-C"])
        .arg(&tci))?;
    ensure!(
        !text(&list).contains("func-"),
        "a TCI build has tests: {}",
        text(&list)
    );
    Ok(())
}
