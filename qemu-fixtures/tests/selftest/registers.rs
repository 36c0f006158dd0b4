//! Polling `info registers` through the monitor until the CPU shows a
//! state (upstream's NeXTcube and PPE42 loops): a state that comes, one
//! that never does, and a guest that stops first.

use std::time::Duration;

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::guest::Then;

use crate::support::boot_message;

#[qemu_test]
fn waits_until_the_registers_show_the_halted_cpu(mut vm: Machine) -> TestResult {
    boot_message(&mut vm, "halting\r\n", Then::Halt)?;
    // Held at reset so the first poll sees a CPU that has not halted yet.
    vm.arg("-S").launch()?;
    let at_reset = vm.wait_for_registers(&["EIP=0000fff0"])?;
    ensure!(at_reset.contains("HLT=0"), "at reset: {at_reset}");
    vm.cmd("cont", Value::Null)?;
    let halted = vm.wait_for_registers(&["HLT=1", "EAX="])?;
    ensure!(!halted.contains("EIP=0000fff0"), "still at reset: {halted}");
    Ok(())
}

#[qemu_test]
fn a_state_that_never_comes_fails_quoting_the_last_registers(mut vm: Machine) -> TestResult {
    boot_message(&mut vm, "halting\r\n", Then::Halt)?;
    vm.launch()?;
    let err = vm
        .wait_for_registers_timeout(&["NIP fff80200"], Duration::from_secs(1))
        .unwrap_err();
    let message = err.to_string();
    ensure!(
        message.contains("info registers did not show [\"NIP fff80200\"] within 1s")
            && message.contains("EAX="),
        "unexpected: {message}"
    );
    Ok(())
}

#[qemu_test]
fn a_guest_that_stops_fails_the_wait_at_once(mut vm: Machine) -> TestResult {
    boot_message(&mut vm, "halting\r\n", Then::Halt)?;
    vm.launch()?;
    // As `-action panic=pause` would: the VM stops and QMP says STOP.
    vm.cmd("stop", Value::Null)?;
    let started = std::time::Instant::now();
    let err = vm.wait_for_registers(&["NIP fff80200"]).unwrap_err();
    ensure!(
        err.to_string()
            .contains("the guest stopped (QMP event STOP) before info registers showed"),
        "unexpected: {err}"
    );
    ensure!(
        started.elapsed() < Duration::from_secs(30),
        "the wait went on for {:?} after the stop",
        started.elapsed()
    );
    Ok(())
}
