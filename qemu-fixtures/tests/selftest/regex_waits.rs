//! Regex console waits (Python's `wait_for_regex_console_pattern`): a line
//! matching the success regex, a failure regex, and a timeout of their own.

use std::time::Duration;

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::console::ConsoleError;
use qemu_fixtures::vm::guest::Then;

use crate::support::boot_message;

const FADUMP_FAILURE: &str = r"fadump: (Firmware-Assisted Dump is not supported on this hardware|Failed to find memory chunk for reservation!)";

#[qemu_test]
fn a_regex_matches_a_line_and_the_next_wait_starts_after_it(mut vm: Machine) -> TestResult {
    boot_message(
        &mut vm,
        "fadump: Reserved 1024MB of memory at 0x40000000\r\n#\r\nsecond line\r\n",
        Then::Halt,
    )?;
    vm.launch()?;
    let found = vm.console().wait_for_regex_console_pattern(
        r"fadump: Reserved \d+MB",
        Some(FADUMP_FAILURE),
        Some(Duration::from_secs(20)),
    )?;
    ensure!(
        found.text() == "fadump: Reserved 1024MB of memory at 0x40000000\r\n",
        "match output {:?}",
        found.text()
    );
    // The matched line was consumed whole: the literal wait sees what follows.
    let next = vm.console().wait_for("second line")?;
    ensure!(next.text() == "#\r\nsecond line", "{:?}", next.text());
    Ok(())
}

#[qemu_test]
fn a_failure_regex_fails_the_wait_quoting_the_console(mut vm: Machine) -> TestResult {
    boot_message(
        &mut vm,
        "fadump: Firmware-Assisted Dump is not supported on this hardware\r\n",
        Then::Halt,
    )?;
    vm.launch()?;
    let err = vm
        .console()
        .wait_for_regex_console_pattern("fadump: Reserved ", Some(FADUMP_FAILURE), None)
        .unwrap_err();
    let message = err.to_string();
    ensure!(
        matches!(err, ConsoleError::FailurePattern { .. })
            && message.contains("waiting for \"fadump: Reserved \"")
            && message.contains("  | fadump: Firmware-Assisted Dump is not supported"),
        "unexpected: {message}"
    );
    Ok(())
}

#[qemu_test]
fn a_regex_wait_has_its_own_timeout_and_keeps_the_consoles(mut vm: Machine) -> TestResult {
    boot_message(&mut vm, "booting\r\n", Then::Halt)?;
    vm.launch()?;
    let before = vm.console().timeout();
    let err = vm
        .console()
        .wait_for_regex_console_pattern(
            "Kernel panic - not syncing: sysrq triggered crash",
            None,
            Some(Duration::from_secs(1)),
        )
        .unwrap_err();
    let message = err.to_string();
    ensure!(
        matches!(err, ConsoleError::Timeout { limit, .. } if limit.budget == Duration::from_secs(1)),
        "not a 1 s timeout: {message}"
    );
    ensure!(
        message.contains("  | booting"),
        "no console lines: {message}"
    );
    ensure!(
        vm.console().timeout() == before,
        "the console's own timeout changed"
    );
    Ok(())
}

#[qemu_test]
fn an_invalid_regex_fails_naming_it(mut vm: Machine) -> TestResult {
    boot_message(&mut vm, "booting\r\n", Then::Halt)?;
    vm.launch()?;
    let err = vm
        .console()
        .wait_for_regex_console_pattern("fadump: (", None, None)
        .unwrap_err();
    ensure!(
        err.to_string().starts_with("invalid regex \"fadump: (\""),
        "{err}"
    );
    Ok(())
}
