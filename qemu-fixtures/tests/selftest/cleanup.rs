//! No QEMU outlives its test: not after a panic, not when the test process
//! is SIGKILLed, not when nextest's timeout signals the process group. And
//! UNIX sockets work whatever the depth of the build directory.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use qemu_fixtures::prelude::*;

use crate::support::{handoff_file, require_qemu, run_scenario, scenario_command};

/// Whether `pid` is a live process (not gone, not a zombie).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
        Err(_) => false,
    }
}

fn gone_within(pid: i32, timeout: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < timeout {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    !alive(pid)
}

/// Waits for the scenario to write QEMU's pid.
fn wait_for_pid(handoff: &PathBuf) -> Result<i32, TestError> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(text) = std::fs::read_to_string(handoff)
            && let Ok(pid) = text.trim().parse()
        {
            return Ok(pid);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(TestError::check("the scenario never reported QEMU's pid"))
}

#[qemu_test]
fn no_qemu_left_after_a_panicking_test(env: std::sync::Arc<TestEnv>) -> TestResult {
    require_qemu(&env)?;
    let handoff = handoff_file(&env, "pid");
    let output = run_scenario(
        "panics_with_qemu_running",
        &[("QEMU_TEST_HANDOFF", handoff.to_str().expect("utf-8"))],
    );
    ensure!(!output.status.success(), "the panicking scenario passed");
    let pid = wait_for_pid(&handoff)?;
    ensure!(
        gone_within(pid, Duration::from_secs(10)),
        "QEMU {pid} outlived the panicking test"
    );
    Ok(())
}

#[qemu_test]
fn no_qemu_left_after_the_test_is_sigkilled(env: std::sync::Arc<TestEnv>) -> TestResult {
    require_qemu(&env)?;
    let handoff = handoff_file(&env, "pid");
    let mut child = scenario_command(
        "sleeps_with_qemu_running",
        &[("QEMU_TEST_HANDOFF", handoff.to_str().expect("utf-8"))],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .map_err(|err| TestError::io("starting the scenario", err))?;
    let pid = wait_for_pid(&handoff)?;
    ensure!(alive(pid), "QEMU {pid} is not running before the kill");
    // SIGKILL runs no destructor: only PR_SET_PDEATHSIG can take QEMU down.
    let _ = child.kill();
    let _ = child.wait();
    ensure!(
        gone_within(pid, Duration::from_secs(10)),
        "QEMU {pid} outlived its SIGKILLed test"
    );
    Ok(())
}

#[qemu_test]
fn no_qemu_left_after_a_timeout_signals_the_group(env: std::sync::Arc<TestEnv>) -> TestResult {
    require_qemu(&env)?;
    let handoff = handoff_file(&env, "pid");
    // As nextest runs a test: in a process group of its own, which its
    // timeout signals with SIGTERM.
    let mut child = scenario_command(
        "sleeps_with_qemu_running",
        &[("QEMU_TEST_HANDOFF", handoff.to_str().expect("utf-8"))],
    )
    .process_group(0)
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .map_err(|err| TestError::io("starting the scenario", err))?;
    let pid = wait_for_pid(&handoff)?;
    // SAFETY: signals the process group we just created.
    unsafe {
        libc::kill(-(child.id() as i32), libc::SIGTERM);
    }
    let _ = child.wait();
    ensure!(
        gone_within(pid, Duration::from_secs(10)),
        "QEMU {pid} outlived the group's SIGTERM"
    );
    Ok(())
}

#[qemu_test]
fn sockets_work_from_a_deep_build_root(env: std::sync::Arc<TestEnv>) -> TestResult {
    require_qemu(&env)?;
    let handoff = handoff_file(&env, "paths");
    let mut root = env.scratch_dir();
    while root.as_os_str().len() < 200 {
        root.push("a-rather-long-build-directory-name");
    }
    std::fs::create_dir_all(&root).map_err(|err| TestError::io("creating the build root", err))?;
    let output = run_scenario(
        "uses_sockets_under_a_deep_build_root",
        &[
            ("QEMU_TEST_HANDOFF", handoff.to_str().expect("utf-8")),
            ("QEMU_BUILD_ROOT", root.to_str().expect("utf-8")),
        ],
    );
    ensure!(
        output.status.success(),
        "scenario failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&handoff).map_err(|err| TestError::io("reading", err))?;
    let (log_dir, socket) = text.split_once('\n').expect("two lines");
    ensure!(
        log_dir.starts_with(root.to_str().expect("utf-8")),
        "logs went to {log_dir}"
    );
    ensure!(
        socket.len() < 108,
        "socket path of {} bytes: {socket}",
        socket.len()
    );
    Ok(())
}

/// What QEMU itself started (`-incoming exec:...`, as the migration tests
/// do with `ncat -l`) does not outlive it, and its hold on QEMU's output
/// pipe does not hang the teardown.
#[qemu_test]
fn nothing_qemu_started_outlives_it(mut vm: Machine) -> TestResult {
    // A duration no other process here sleeps for, to find it by.
    let marker = format!("{}.{}", 600 + std::process::id() % 100, std::process::id());
    vm.set_machine("pc")?;
    vm.args(["-nodefaults", "-S", "-incoming"])
        .arg(format!("exec:sleep {marker}"));
    vm.launch()?;
    let helper = || {
        std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .find_map(|entry| {
                let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
                let words: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
                (words.first() == Some(&b"sleep".as_slice())
                    && words.get(1) == Some(&marker.as_bytes()))
                .then(|| entry.file_name().to_string_lossy().parse::<i32>().ok())
                .flatten()
            })
    };
    let started = Instant::now();
    let pid = loop {
        if let Some(pid) = helper() {
            break pid;
        }
        ensure!(
            started.elapsed() < Duration::from_secs(10),
            "QEMU never started `sleep {marker}`"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    vm.shutdown()?;
    ensure!(
        gone_within(pid, Duration::from_secs(5)),
        "`sleep {marker}` (pid {pid}), which QEMU started, outlived it"
    );
    Ok(())
}
