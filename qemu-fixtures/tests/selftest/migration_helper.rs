//! `guests::migration`, upstream's `MigrationTest`: two QEMUs of one machine migrate over each transport; a failed `migrate` is a failure, not a skip.

use qemu_fixtures::guests::migration::Migration;
use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::qmp::QmpError;

/// The three transports of upstream's base class, each with a source and
/// a `dest-qemu` of the machine the source set, both completing.
#[qemu_test]
fn microvm_migrates_over_tcp_unix_and_exec(vm: Machine) -> TestResult {
    let mut tcp = vm.sibling("tcp");
    tcp.set_machine("microvm")?;
    migration::migration_with_tcp_localhost(tcp)?;
    let mut unix = vm.sibling("unix");
    unix.set_machine("microvm")?;
    migration::migration_with_unix(unix)?;
    let mut exec = vm.sibling("exec");
    exec.set_machine("microvm")?;
    migration::migration_with_exec(exec)
}

/// Held at reset, the destination takes over the source's run state.
#[qemu_test]
fn held_machines_migrate_their_run_state(mut vm: Machine) -> TestResult {
    vm.set_machine("microvm")?;
    Migration::HELD.unix(vm)
}

/// A source sent to a socket nobody listens on fails at once, saying so,
/// without waiting for the destination.
#[qemu_test]
fn a_source_that_cannot_connect_fails(mut vm: Machine) -> TestResult {
    vm.set_machine("microvm")?;
    let listening = format!("unix:{}", vm.env().socket_file("dest.sock").display());
    let nobody = format!("unix:{}", vm.env().socket_file("nobody.sock").display());
    match Migration::RUNNING.migrate(vm, &listening, &nobody) {
        Err(TestError::Check(message))
            if message.starts_with("source migration ended failed on default:") =>
        {
            Ok(())
        }
        other => Err(TestError::check(format!(
            "expected the source's failure, got {other:?}"
        ))),
    }
}

/// A URI QEMU refuses: its `migrate` error (class `GenericError`) fails
/// the test rather than skipping it.
#[qemu_test]
fn a_refused_migrate_fails(mut vm: Machine) -> TestResult {
    vm.set_machine("microvm")?;
    let listening = format!("unix:{}", vm.env().socket_file("dest.sock").display());
    match Migration::RUNNING.migrate(vm, &listening, "no-such-transport:x") {
        Err(TestError::Qmp(QmpError::Command { class, .. })) if class == "GenericError" => Ok(()),
        other => Err(TestError::check(format!(
            "expected migrate to fail with a GenericError, got {other:?}"
        ))),
    }
}

/// Without `set_machine` there is no machine for the destination to copy.
#[qemu_test]
fn migration_without_a_machine_fails(vm: Machine) -> TestResult {
    match migration::migration_with_unix(vm) {
        Err(TestError::Check(message)) if message.contains("set_machine") => Ok(()),
        other => Err(TestError::check(format!(
            "expected a failure asking for set_machine, got {other:?}"
        ))),
    }
}
