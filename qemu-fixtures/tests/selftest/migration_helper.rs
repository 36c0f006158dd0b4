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

/// Hooks that name both QEMUs, note that they launched the source, and
/// check the destination's name: upstream's overridable methods.
#[derive(Debug)]
struct NamingHooks {
    source_launched: std::sync::atomic::AtomicBool,
    fail_dest: bool,
}

impl migration::MigrationHooks for NamingHooks {
    fn configure_machine(&self, vm: &mut Machine) -> TestResult {
        vm.args(["-nodefaults", "-name", "hooked"]);
        Ok(())
    }

    fn launch_source_vm(&self, vm: &mut Machine) -> TestResult {
        vm.launch()?;
        self.source_launched
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    fn assert_dest_vm(&self, vm: &mut Machine) -> TestResult {
        ensure!(!self.fail_dest, "the destination's check failed");
        let name = vm.cmd("query-name", json!({}))?;
        ensure!(
            name["name"] == "hooked",
            "destination {} not configured by the hook: {name}",
            vm.name()
        );
        ensure!(
            self.source_launched
                .load(std::sync::atomic::Ordering::SeqCst),
            "the source was not launched by launch_source_vm"
        );
        Ok(())
    }
}

/// Both QEMUs are configured by `configure_machine`, the source launched
/// by `launch_source_vm`, and the destination checked by `assert_dest_vm`.
#[qemu_test]
fn hooks_configure_launch_and_check(mut vm: Machine) -> TestResult {
    static HOOKS: NamingHooks = NamingHooks {
        source_launched: std::sync::atomic::AtomicBool::new(false),
        fail_dest: false,
    };
    vm.set_machine("microvm")?;
    Migration::with_hooks(&HOOKS).unix(vm)
}

/// A failing `assert_dest_vm` fails the migration test with its message.
#[qemu_test]
fn a_failing_destination_check_fails(mut vm: Machine) -> TestResult {
    static HOOKS: NamingHooks = NamingHooks {
        source_launched: std::sync::atomic::AtomicBool::new(false),
        fail_dest: true,
    };
    vm.set_machine("microvm")?;
    match Migration::with_hooks(&HOOKS).unix(vm) {
        Err(TestError::Check(message)) if message == "the destination's check failed" => Ok(()),
        other => Err(TestError::check(format!(
            "expected the destination's check to fail, got {other:?}"
        ))),
    }
}
