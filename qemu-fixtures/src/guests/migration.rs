//! Migration between two QEMUs of one test, over TCP, a UNIX socket or `exec:`: QEMU's `MigrationTest` (tests/functional/migration.py).
//!
//! A port calls `set_machine` and then one of the `migration_with_*`
//! functions, as upstream's tests call the base class's methods.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::ensure;
use crate::harness::ports::Ports;
use crate::harness::{Machine, Skip, TestError, TestResult};
use crate::vm::{MachineError, QmpError, find_command};

/// Upstream's `migration_with_tcp_localhost`: the destination listens on
/// a free port of `localhost`.
pub fn migration_with_tcp_localhost(vm: Machine) -> TestResult {
    Migration::RUNNING.tcp_localhost(vm)
}

/// Upstream's `migration_with_unix`: over a UNIX socket.
pub fn migration_with_unix(vm: Machine) -> TestResult {
    Migration::RUNNING.unix(vm)
}

/// Upstream's `migration_with_exec`: `ncat -l` on the destination's side,
/// `ncat` on the source's.
pub fn migration_with_exec(vm: Machine) -> TestResult {
    Migration::RUNNING.exec(vm)
}

/// Upstream's `PpcMigrationTest.do_migrate_ppc64_linux`: two QEMUs the
/// test launched itself, the destination with `-incoming defer`, migrate
/// over TCP to a free `localhost` port (`migrate-incoming`, then
/// `migrate`); both must complete, the destination then runs and the
/// source is `postmigrate`, as upstream's `assert_migration` checks.
pub fn do_migrate_ppc64_linux(source: &mut Machine, dest: &mut Machine) -> TestResult {
    let ports = Ports::lock()?;
    let uri = format!("tcp:localhost:{}", ports.find_free_port()?);
    dest.cmd("migrate-incoming", json!({ "uri": uri }))?;
    source.cmd("migrate", json!({ "uri": uri }))?;
    let source_status = wait_finished(source)?;
    ensure!(
        source_status == "completed",
        "source migration ended {source_status}"
    );
    let dest_status = wait_finished(dest)?;
    ensure!(
        dest_status == "completed",
        "destination migration ended {dest_status}"
    );
    let dest_state = dest.qmp().run_state()?;
    ensure!(
        dest_state == "running",
        "destination is {dest_state} after migration, expected running"
    );
    let source_state = source.qmp().run_state()?;
    ensure!(
        source_state == "postmigrate",
        "source is {source_state}, expected postmigrate"
    );
    Ok(())
}

/// The methods upstream's `MigrationTest` lets a subclass override
/// (`configure_machine`, `launch_source_vm`, `assert_dest_vm`), for a test
/// that migrates a guest it set up itself (x86_64's `test_nvme_migration`).
pub trait MigrationHooks: std::fmt::Debug + Sync {
    /// Upstream's `configure_machine`, called on both QEMUs before launch;
    /// its default adds `-nodefaults`.
    fn configure_machine(&self, vm: &mut Machine) -> TestResult {
        vm.arg("-nodefaults");
        Ok(())
    }

    /// Upstream's `launch_source_vm`: launches the source, e.g. to start a
    /// workload that must survive the migration.
    fn launch_source_vm(&self, vm: &mut Machine) -> TestResult {
        vm.launch()?;
        Ok(())
    }

    /// Upstream's `assert_dest_vm`: checks the destination once it runs.
    fn assert_dest_vm(&self, _vm: &mut Machine) -> TestResult {
        Ok(())
    }
}

/// Upstream's base class as it is: every hook its default.
#[derive(Debug)]
struct DefaultHooks;

impl MigrationHooks for DefaultHooks {}

/// How the two QEMUs run: as upstream's tests (the source running), or
/// both held at reset with `-S`, for a machine with nothing to boot; and
/// the hooks that configure, launch and check them.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    held: bool,
    hooks: &'static dyn MigrationHooks,
}

impl Migration {
    /// The source runs; the destination must be `running` afterwards.
    pub const RUNNING: Migration = Migration {
        held: false,
        hooks: &DefaultHooks,
    };
    /// Both start with `-S`; the destination must take over the source's
    /// run state.
    pub const HELD: Migration = Migration {
        held: true,
        hooks: &DefaultHooks,
    };

    /// The source runs, both QEMUs configured, launched and checked by
    /// `hooks` as a subclass of upstream's `MigrationTest` does.
    pub const fn with_hooks(hooks: &'static dyn MigrationHooks) -> Migration {
        Migration { held: false, hooks }
    }

    /// Over TCP on `localhost`, to a port found under the [`Ports`] lock.
    pub fn tcp_localhost(self, vm: Machine) -> TestResult {
        let ports = Ports::lock()?;
        let uri = format!("tcp:localhost:{}", ports.find_free_port()?);
        self.migrate(vm, &uri, &uri)
    }

    /// Over a UNIX socket in the test's socket directory.
    pub fn unix(self, vm: Machine) -> TestResult {
        let socket = vm.env().socket_file("qemu-test.sock");
        let uri = format!("unix:{}", socket.display());
        self.migrate(vm, &uri, &uri)
    }

    /// Through `exec:ncat`, to a port found under the [`Ports`] lock.
    pub fn exec(self, vm: Machine) -> TestResult {
        if find_command("ncat").is_none() {
            return Err(Skip::new("ncat is not available (Debian package ncat)").into());
        }
        let ports = Ports::lock()?;
        let port = ports.find_free_port()?;
        self.migrate(
            vm,
            &format!("exec:ncat -l localhost {port}"),
            &format!("exec:ncat localhost {port}"),
        )
    }

    /// Upstream's `do_migrate` and `assert_migration`: a destination
    /// `dest-qemu` of the same machine waits on `dest_uri`, the source
    /// `vm` migrates to `source_uri`, both must complete, the destination
    /// then runs as the source did and the source is `postmigrate`.
    ///
    /// A machine QEMU says cannot migrate (`blocked-reasons`) and a QEMU
    /// without `migrate` (QMP class `CommandNotFound`) are skips; any other
    /// error, and a QEMU killed by a signal, a failure (a QEMU bug that
    /// stands is a row of `harness::known_failures`).
    pub fn migrate(self, mut vm: Machine, dest_uri: &str, source_uri: &str) -> TestResult {
        let machine = vm
            .machine()
            .ok_or_else(|| TestError::check("migration needs set_machine first"))?
            .to_owned();
        let mut dest = vm.sibling("dest-qemu");
        dest.set_machine(&machine)?;
        dest.args(["-incoming", dest_uri]);
        self.configure(&mut dest)?;
        dest.launch()?;
        self.configure(&mut vm)?;
        self.hooks.launch_source_vm(&mut vm)?;
        let before = start(&mut vm, &machine, source_uri)?;
        // The source first: once it failed, the destination waits for
        // nothing, and the source's error says why.
        let source_status = wait_finished(&mut vm)?;
        ensure!(
            source_status == "completed",
            "source migration ended {source_status}"
        );
        let dest_status = wait_finished(&mut dest)?;
        ensure!(
            dest_status == "completed",
            "destination migration ended {dest_status}"
        );
        let expected = if self.held { before } else { "running".into() };
        let dest_state = dest.qmp().run_state()?;
        ensure!(
            dest_state == expected,
            "destination is {dest_state} after migration, expected {expected}"
        );
        let source_state = vm.qmp().run_state()?;
        ensure!(
            source_state == "postmigrate",
            "source is {source_state}, expected postmigrate"
        );
        self.hooks.assert_dest_vm(&mut dest)
    }

    fn configure(self, vm: &mut Machine) -> TestResult {
        self.hooks.configure_machine(vm)?;
        if self.held {
            vm.arg("-S");
        }
        Ok(())
    }
}

/// Starts the migration; returns the source's run state before it.
fn start(vm: &mut Machine, machine: &str, uri: &str) -> Result<String, TestError> {
    let info = vm.cmd("query-migrate", Value::Null)?;
    if let Some(reasons) = info["blocked-reasons"].as_array()
        && !reasons.is_empty()
    {
        let reasons: Vec<&str> = reasons.iter().filter_map(Value::as_str).collect();
        return Err(Skip::new(format!(
            "machine {machine} cannot migrate in this QEMU: {}",
            reasons.join("; ")
        ))
        .into());
    }
    let before = vm.qmp().run_state()?;
    match vm.cmd("migrate", json!({ "uri": uri })) {
        Err(MachineError::Qmp(QmpError::Command { class, .. })) if class == "CommandNotFound" => {
            Err(Skip::new("this QEMU has no `migrate` command").into())
        }
        other => other.map(|_| before).map_err(Into::into),
    }
}

/// Polls `query-migrate` until it says completed or failed: the status,
/// and QEMU's `error-desc` after a failure. QEMU sends no event for it
/// unless asked, and polling is what upstream does.
fn wait_finished(vm: &mut Machine) -> Result<String, TestError> {
    let timeout = Duration::from_secs(60);
    let started = Instant::now();
    loop {
        let info = vm.cmd("query-migrate", Value::Null)?;
        match info["status"].as_str().unwrap_or_default() {
            "completed" => return Ok("completed".to_owned()),
            "failed" => {
                let desc = info["error-desc"].as_str().unwrap_or("no error-desc");
                return Ok(format!("failed on {}: {desc}", vm.name()));
            }
            _ => {}
        }
        if started.elapsed() > timeout {
            return Err(TestError::check(format!(
                "migration of {} not finished after {}s: {info}",
                vm.name(),
                timeout.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
