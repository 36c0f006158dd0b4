//! Launching and stopping QEMU: QEMU's own message when it refuses to
//! start, requirements that skip, QMP errors and events, shutdown.

use std::time::Duration;

use qemu_fixtures::harness::refusal;
use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::MachineError;
use qemu_fixtures::vm::qmp::QmpError;
use serde_json::Value;

#[qemu_test]
fn bad_argument_fails_with_qemus_message(mut vm: Machine) -> TestResult {
    vm.binary()?;
    vm.arg("-no-such-option");
    match vm.launch() {
        Err(err @ MachineError::DidNotStart { .. }) => {
            let message = err.to_string();
            ensure!(
                message.contains("exited with code 1")
                    && message.contains("-no-such-option: invalid option"),
                "unexpected message: {message}"
            );
            ensure!(
                TestError::from(err).kind() == "QEMU did not start",
                "wrong kind"
            );
            Ok(())
        }
        other => Err(TestError::check(format!(
            "expected QEMU not to start, got {:?}",
            other.err()
        ))),
    }
}

#[qemu_test]
fn missing_firmware_fails_with_qemus_message(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    vm.args(["-bios", "/nonexistent/bios.bin"]);
    match vm.launch() {
        Err(err @ MachineError::DidNotStart { .. }) => {
            let message = err.to_string();
            ensure!(
                message.contains("could not load PC BIOS '/nonexistent/bios.bin'"),
                "unexpected message: {message}"
            );
            Ok(())
        }
        other => Err(TestError::check(format!(
            "expected QEMU not to start, got {:?}",
            other.err()
        ))),
    }
}

#[qemu_test]
fn missing_machine_device_netdev_and_accelerator_skip(mut vm: Machine) -> TestResult {
    vm.binary()?;
    let reasons = [
        vm.set_machine("no-such-board").err(),
        vm.require_device("no-such-device").err(),
        vm.require_netdev("no-such-netdev").err(),
        vm.require_accelerator("no-such-accel").err(),
    ];
    let expected = [
        "no support for machine no-such-board",
        "no support for device no-such-device",
        "no support for no-such-netdev networking",
        "no-such-accel accelerator does not seem to be available",
    ];
    for (reason, expected) in reasons.into_iter().zip(expected) {
        match reason.map(TestError::from) {
            Some(TestError::Skip(skip)) if skip.reason().starts_with(expected) => {}
            other => {
                return Err(TestError::check(format!(
                    "expected a skip {expected:?}, got {other:?}"
                )));
            }
        }
    }
    // And the ones this QEMU has pass.
    vm.set_machine("pc")?;
    vm.require_device("virtio-net-pci")?;
    vm.require_netdev("user")?;
    vm.require_accelerator("tcg")?;
    Ok(())
}

#[qemu_test]
fn qmp_errors_are_typed_and_events_keep_their_order(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.arg("-nodefaults").launch()?;
    match vm.qmp().execute("no-such-command", Value::Null) {
        Err(QmpError::Command { class, .. }) if class == "CommandNotFound" => {}
        other => {
            return Err(TestError::check(format!(
                "expected CommandNotFound, got {other:?}"
            )));
        }
    }
    vm.cmd("stop", Value::Null)?;
    vm.cmd("cont", Value::Null)?;
    vm.cmd("stop", Value::Null)?;
    // Waiting for the later event leaves the earlier ones queued, in order.
    let resume = vm.qmp().wait_event("RESUME", Duration::from_secs(10))?;
    ensure!(resume.name == "RESUME", "got {}", resume.name);
    let left: Vec<String> = vm.qmp().take_events().into_iter().map(|e| e.name).collect();
    ensure!(left == ["STOP", "STOP"], "events left: {left:?}");
    match vm.qmp().wait_event("POWERDOWN", Duration::from_millis(300)) {
        Err(QmpError::EventTimeout { .. }) => {}
        other => {
            return Err(TestError::check(format!(
                "expected an event timeout, got {other:?}"
            )));
        }
    }
    Ok(())
}

#[qemu_test]
fn shutdown_quits_and_reports_the_exit(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.arg("-nodefaults").launch()?;
    let exit = vm.shutdown()?;
    ensure!(exit.code() == Some(0), "QEMU {exit} after quit");
    let log = std::fs::read_to_string(vm.env().log_file(["base.log"]))
        .map_err(|err| TestError::io("reading base.log", err))?;
    ensure!(
        log.contains(r#"qmp >>> {"execute":"quit""#) && log.contains("QEMU exited with code 0"),
        "base.log lacks the shutdown: {log}"
    );
    Ok(())
}

/// A guest's shutdown that leaves QEMU paused (`-no-shutdown`) is quit at
/// once, not waited on as if QEMU were exiting by itself.
#[qemu_test]
fn a_shutdown_paused_by_no_shutdown_is_quit_at_once(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    // With -no-reboot a reset is a shutdown, as a guest's would be.
    vm.args(["-nodefaults", "-no-reboot", "-no-shutdown"])
        .launch()?;
    vm.cmd("system_reset", Value::Null)?;
    // SHUTDOWN, then STOP: QEMU paused; SHUTDOWN stays queued.
    vm.qmp().wait_event("STOP", Duration::from_secs(10))?;
    let exit = vm.shutdown()?;
    ensure!(exit.code() == Some(0), "QEMU {exit} after quit");
    let log = std::fs::read_to_string(vm.env().log_file(["base.log"]))
        .map_err(|err| TestError::io("reading base.log", err))?;
    ensure!(
        log.contains(r#""event": "SHUTDOWN""#) && log.contains(r#"qmp >>> {"execute":"quit""#),
        "base.log lacks the guest's shutdown or the quit: {log}"
    );
    ensure!(
        !log.contains("waiting 2s for QEMU to exit"),
        "the shutdown waited for a QEMU that -no-shutdown keeps: {log}"
    );
    Ok(())
}

#[qemu_test]
fn qemu_crashing_is_a_failure_of_shutdown(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.arg("-nodefaults").launch()?;
    vm.signal(libc::SIGSEGV);
    match vm.shutdown() {
        Err(err @ MachineError::Died { .. }) => {
            let message = err.to_string();
            ensure!(
                message.contains("signal 11 (SIGSEGV)"),
                "unexpected message: {message}"
            );
            Ok(())
        }
        other => Err(TestError::check(format!(
            "expected QEMU to have died, got {other:?}"
        ))),
    }
}

/// The KVM probe's guest works: under TCG it prints its line.
#[qemu_test]
fn the_kvm_probe_guest_runs_under_tcg(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    let rom = vm.env().scratch_file(["probe.rom"]);
    std::fs::write(
        &rom,
        qemu_fixtures::vm::guest::x86_protected_mode_rom(b"in protected mode\r\n"),
    )
    .map_err(|err| TestError::io("writing the probe", err))?;
    vm.args(["-nodefaults", "-bios"]).arg(&rom).launch()?;
    vm.console().wait_for("in protected mode")?;
    Ok(())
}

/// KVM counts only when its probe guest ran; a refusal says why.
#[qemu_test]
fn kvm_counts_only_after_its_probe_guest_runs(mut vm: Machine) -> TestResult {
    vm.binary()?;
    match vm
        .require_accelerator("kvm")
        .map(drop)
        .map_err(TestError::from)
    {
        Ok(()) => {
            // The probe said yes: a guest does run under KVM.
            vm.set_machine("pc")?;
            let rom = vm.env().scratch_file(["probe.rom"]);
            std::fs::write(
                &rom,
                qemu_fixtures::vm::guest::x86_protected_mode_rom(b"under kvm\r\n"),
            )
            .map_err(|err| TestError::io("writing the probe", err))?;
            vm.args(["-nodefaults", "-accel", "kvm", "-bios"])
                .arg(&rom)
                .launch()?;
            vm.console().wait_for("under kvm")?;
            Ok(())
        }
        Err(TestError::Skip(skip)) => {
            ensure!(
                skip.reason().starts_with("kvm accelerator"),
                "the refusal does not say what it refused: {skip}"
            );
            vm.env().log(format_args!("KVM refused here: {skip}"));
            Ok(())
        }
        Err(err) => Err(err),
    }
}

/// Its own scenario, not `scenario::needs_qemu`: two processes of one
/// test name would share, and remove, one log directory.
#[qemu_test]
#[ignore = "a scenario: launch::a_qemu_binary_that_is_not_executable_fails runs it"]
fn asks_for_its_binary(vm: Machine) -> TestResult {
    vm.binary()?;
    Ok(())
}

/// Before: a typo in `QEMU_TEST_QEMU_BINARY` skipped every test and the
/// run looked green. Now a missing or non-executable binary fails with
/// that message, and the record says so.
#[qemu_test]
fn a_qemu_binary_that_is_not_executable_fails(env: std::sync::Arc<TestEnv>) -> TestResult {
    use qemu_fixtures::harness::outcome::{read_records, results_root};
    let not_executable = env.scratch_file(["qemu-system-x86_64"]);
    std::fs::write(&not_executable, "#!/bin/sh\n")
        .map_err(|err| TestError::io("writing a non-executable file", err))?;
    for (case, binary) in [
        ("typo", "/typo"),
        ("mode", not_executable.to_str().expect("utf-8")),
    ] {
        let run = format!("config-{case}-{}", std::process::id());
        let output = crate::support::ignored_test_command(
            "launch::asks_for_its_binary",
            &[
                ("QEMU_TEST_QEMU_BINARY", binary),
                ("QEMU_TEST_RUN_ID", &run),
            ],
        )
        .output()
        .map_err(|err| TestError::io("running the scenario", err))?;
        let message = format!("QEMU_TEST_QEMU_BINARY={binary} is not an executable file");
        let stderr = String::from_utf8_lossy(&output.stderr);
        ensure!(
            !output.status.success() && stderr.contains(&message),
            "{binary}: expected a failure saying {message:?}: {output:?}"
        );
        let records = read_records(&results_root().join(&run))
            .map_err(|err| TestError::io("reading the run's records", err))?;
        ensure!(
            records.len() == 1
                && records[0].verdict == "fail"
                && records[0].message == format!("configuration error: {message}"),
            "{binary}: records: {records:?}"
        );
    }
    Ok(())
}

#[qemu_test]
fn launch_expecting_exit_passes_when_qemu_refuses_with_that_code_and_message(
    mut vm: Machine,
) -> TestResult {
    vm.binary()?;
    vm.args(["-device", "no-such-device"]);
    refusal::launch_expecting_exit(
        &mut vm,
        1,
        "'no-such-device' is not a valid device model name",
    )
}

#[qemu_test]
fn launch_expecting_exit_fails_naming_the_code_or_the_missing_message(
    mut vm: Machine,
) -> TestResult {
    vm.binary()?;
    vm.args(["-device", "no-such-device"]);
    let err = refusal::launch_expecting_exit(&mut vm, 2, "not a valid device").unwrap_err();
    ensure!(
        err.to_string().contains("QEMU exit code should be 2, not "),
        "{err}"
    );
    let mut vm = vm.sibling("other-message");
    vm.args(["-device", "no-such-device"]);
    let err = refusal::launch_expecting_exit(&mut vm, 1, "phys-bits too low").unwrap_err();
    ensure!(
        err.to_string()
            .contains("QEMU's output does not say \"phys-bits too low\": ")
            && err.to_string().contains("no-such-device"),
        "{err}"
    );
    Ok(())
}
