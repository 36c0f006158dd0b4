//! Where our API once differed from Python's and a faithful port hung or
//! skipped: `exec_command` waits for no echo, and every host that runs
//! KVM guests natively has a probe guest that really runs.

use std::time::Duration;

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::accel::run_probe_guest;
use qemu_fixtures::vm::console::WaitTimeout;
use qemu_fixtures::vm::find_command;
use qemu_fixtures::vm::guest::Then;

use crate::support::boot_message;

/// The guest prints a prompt and never echoes what it is sent, like a
/// firmware with echo off; a long command line is what busybox's editor
/// echoes broken by cursor sequences. Both must not hang the test.
#[qemu_test]
fn exec_command_does_not_wait_for_an_echo(mut vm: Machine) -> TestResult {
    boot_message(&mut vm, "ready\r\nprompt> ", Then::Halt)?;
    vm.launch()?;
    let console = vm.console();
    // Bounds the failure of a regression, which would wait for the echo.
    console.set_timeout(WaitTimeout::wall(Duration::from_secs(20)));
    console.wait_for("ready")?;
    let long = format!("echo {}", "0123456789".repeat(30));
    console.exec_command(&long)?;
    let found = console.exec_command_and_wait_for_pattern(&long, "prompt> ", None)?;
    ensure!(
        found.text() == "\r\nprompt> ",
        "the wait after the command saw {:?}",
        found.text()
    );
    Ok(())
}

/// Each probe guest prints its line under TCG: the aarch64 one judges
/// KVM on an aarch64 host, where KVM used to be refused outright.
#[qemu_test]
#[case::x86_64("x86_64")]
#[case::aarch64("aarch64")]
fn kvm_probe_guest_runs(#[case] arch: &str) -> TestResult {
    let binary = format!("qemu-system-{arch}");
    let binary =
        find_command(&binary).ok_or_else(|| Skip::new(format!("{binary} is not on PATH")))?;
    run_probe_guest(&binary, arch, arch, "tcg")?;
    Ok(())
}
