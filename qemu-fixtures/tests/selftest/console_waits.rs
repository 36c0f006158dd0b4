//! Console waits: a match, a standing failure pattern, a timeout and QEMU
//! dying mid-wait, each failing in words a user can act on.

use std::process::Command;
use std::time::{Duration, Instant};

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::console::{ConsoleError, WaitTimeout};
use qemu_fixtures::vm::guest::Then;

use crate::support::boot_message;

#[qemu_test]
fn matches_what_the_guest_prints(mut vm: Machine) -> TestResult {
    boot_message(&mut vm, "hello from the guest\r\nprompt> ", Then::Halt)?;
    vm.launch()?;
    let found = vm.console().wait_for("hello from the guest")?;
    ensure!(
        found.text() == "hello from the guest",
        "match output {:?}",
        found.text()
    );
    // A prompt has no newline after it, and must match all the same.
    let prompt = vm.console().wait_for("prompt> ")?;
    ensure!(
        prompt.text() == "\r\nprompt> ",
        "match output {:?}",
        prompt.text()
    );
    Ok(())
}

#[qemu_test]
fn standing_failure_pattern_fails_every_later_wait(mut vm: Machine) -> TestResult {
    boot_message(
        &mut vm,
        "booting\r\nKernel panic - not syncing: VFS: Unable to mount root fs\r\nlogin: ",
        Then::Halt,
    )?;
    vm.launch()?;
    vm.console().fail_on("Kernel panic - not syncing");
    match vm.console().wait_for("login:") {
        Err(err @ ConsoleError::FailurePattern { .. }) => {
            let message = err.to_string();
            ensure!(
                message.contains("failure pattern \"Kernel panic - not syncing\"")
                    && message.contains("waiting for \"login:\"")
                    && message.contains("  | booting"),
                "unexpected message: {message}"
            );
            ensure!(
                TestError::from(err).kind() == "guest failure pattern",
                "wrong kind"
            );
            Ok(())
        }
        other => Err(TestError::check(format!(
            "expected the failure pattern, got {other:?}"
        ))),
    }
}

#[qemu_test]
fn timeout_quotes_the_pattern_the_time_and_the_last_lines(mut vm: Machine) -> TestResult {
    boot_message(&mut vm, "first line\r\nsecond line\r\n", Then::Halt)?;
    vm.launch()?;
    vm.console().wait_for("second line")?;
    vm.console()
        .set_timeout(WaitTimeout::wall(Duration::from_secs(1)));
    let err = vm.console().wait_for("never printed").unwrap_err();
    let message = err.to_string();
    ensure!(
        matches!(err, ConsoleError::Timeout { .. }),
        "not a timeout: {message}"
    );
    ensure!(
        message.contains("timed out after 1.")
            && message.contains("waiting for \"never printed\"")
            && message.contains("  | second line"),
        "unexpected message: {message}"
    );
    ensure!(
        TestError::from(err).kind() == "pattern never came",
        "wrong kind"
    );
    Ok(())
}

#[qemu_test]
fn qemu_killed_mid_wait_fails_at_once_naming_the_signal(mut vm: Machine) -> TestResult {
    boot_message(&mut vm, "about to be killed\r\n", Then::Halt)?;
    vm.launch()?;
    vm.console().wait_for("about to be killed")?;
    let pid = vm.pid().expect("launched").to_string();
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        Command::new("kill").args(["-KILL", &pid]).status()
    });
    let started = Instant::now();
    // The default timeout is 90 s of QEMU CPU time: far longer than this.
    let err = vm.console().wait_for("never printed").unwrap_err();
    let waited = started.elapsed();
    let _ = killer.join();
    let message = err.to_string();
    ensure!(
        matches!(err, ConsoleError::QemuExited { .. }),
        "not an exit: {message}"
    );
    ensure!(
        waited < Duration::from_secs(10),
        "the wait took {waited:?} to notice"
    );
    ensure!(
        message.contains("was killed by signal 9 (SIGKILL)")
            && message.contains("  | about to be killed"),
        "unexpected message: {message}"
    );
    ensure!(TestError::from(err).kind() == "QEMU died", "wrong kind");
    Ok(())
}

#[qemu_test]
fn qemu_exiting_mid_wait_reports_its_exit_code(mut vm: Machine) -> TestResult {
    // isa-debug-exit turns the guest's 1 into QEMU's exit code 3.
    boot_message(&mut vm, "exiting\r\n", Then::Exit(1))?;
    // Held at reset until QMP is up, or the guest could exit before QEMU
    // finished starting.
    vm.arg("-S").launch()?;
    vm.cmd("cont", serde_json::Value::Null)?;
    let err = vm.console().wait_for("never printed").unwrap_err();
    let message = err.to_string();
    ensure!(
        message.contains("QEMU exited with code 3"),
        "unexpected message: {message}"
    );
    ensure!(
        message.contains("  | exiting"),
        "no console lines: {message}"
    );
    Ok(())
}

#[qemu_test]
fn cpu_clock_gives_a_starved_qemu_more_time(mut vm: Machine) -> TestResult {
    boot_message(&mut vm, "ready\r\n", Then::Halt)?;
    vm.launch()?;
    vm.console().wait_for("ready")?;
    // A stopped QEMU gets no CPU, as one starved by a loaded host.
    vm.signal(libc::SIGSTOP);
    let timed = |vm: &mut Machine, timeout: WaitTimeout| {
        vm.console().set_timeout(timeout);
        let started = Instant::now();
        let result = vm.console().wait_for("never printed");
        (started.elapsed(), result)
    };
    let second = Duration::from_secs(1);
    let (wall, wall_result) = timed(&mut vm, WaitTimeout::wall(second));
    let (cpu, cpu_result) = timed(&mut vm, WaitTimeout::cpu(second, 4 * second));
    vm.signal(libc::SIGCONT);
    ensure!(
        matches!(wall_result, Err(ConsoleError::Timeout { .. }))
            && matches!(cpu_result, Err(ConsoleError::Timeout { .. })),
        "both waits should time out: {wall_result:?} {cpu_result:?}"
    );
    ensure!(
        wall < 3 * second,
        "the wall-clock wait took {wall:?}, expected about 1 s"
    );
    ensure!(
        cpu >= Duration::from_millis(3900),
        "the CPU-clock wait ended after {cpu:?}: a QEMU without CPU time should get the 4 s ceiling"
    );
    Ok(())
}

/// QEMU's socket chardev moves a few hundred KiB/s of serial output; the
/// cost of our scanning per byte is measured by `cargo xtask bench console`.
#[qemu_test]
fn continuous_output_is_logged_and_scanned_while_waiting(mut vm: Machine) -> TestResult {
    let line = "the quick brown fox jumps over the lazy dog 0123456789\r\n";
    boot_message(&mut vm, line, Then::Repeat)?;
    vm.launch()?;
    vm.console()
        .set_timeout(WaitTimeout::wall(Duration::from_secs(5)));
    vm.console().fail_on("Kernel panic");
    let err = vm.console().wait_for("never printed").unwrap_err();
    ensure!(
        matches!(err, ConsoleError::Timeout { .. }),
        "expected a timeout: {err}"
    );
    vm.kill();
    // How much arrives in 5 s is a throughput figure for `cargo xtask bench`;
    // here only that the log kept what the guest printed, intact.
    let log = std::fs::read_to_string(vm.env().log_file(["console.log"]))
        .map_err(|err| TestError::io("reading console.log", err))?;
    let mut lines = log.lines().map(|logged| logged.trim_end_matches('\r'));
    lines.next_back(); // the last line may be cut off by the kill
    let expected = line.trim_end();
    let mut complete = 0;
    for logged in lines {
        ensure!(logged == expected, "console.log holds {logged:?}");
        complete += 1;
    }
    ensure!(complete > 1, "console.log kept {complete} complete lines");
    Ok(())
}
