//! Shared tests `migration`: a guest migrates over TCP, a UNIX socket and `exec:`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::ensure;
use crate::harness::{Machine, Skip, TestError, TestResult};
use crate::vm::{MachineError, QmpError};

/// Migrates over TCP on 127.0.0.1; the destination picks its port.
pub fn tcp_localhost(mut vm: Machine) -> TestResult {
    let plan = Plan::for_target(&vm)?;
    let mut dest = vm.sibling("dest-qemu");
    plan.launch(&mut dest, Some("tcp:127.0.0.1:0"))?;
    let incoming = dest.cmd("query-migrate", Value::Null)?;
    let port = incoming["socket-address"][0]["port"]
        .as_str()
        .ok_or_else(|| TestError::check(format!("no listening port in query-migrate: {incoming}")))?
        .to_owned();
    plan.launch(&mut vm, None)?;
    let before = plan.migrate(&mut vm, &format!("tcp:127.0.0.1:{port}"))?;
    plan.assert_migrated(&mut vm, &mut dest, &before)
}

/// Migrates over a UNIX socket in the test's socket directory.
pub fn unix_socket(mut vm: Machine) -> TestResult {
    let plan = Plan::for_target(&vm)?;
    let socket = vm.env().socket_file("migration.sock");
    let uri = format!("unix:{}", socket.display());
    let mut dest = vm.sibling("dest-qemu");
    plan.launch(&mut dest, Some(&uri))?;
    plan.launch(&mut vm, None)?;
    let before = plan.migrate(&mut vm, &uri)?;
    plan.assert_migrated(&mut vm, &mut dest, &before)
}

/// Migrates through `exec:`: the source writes its state with `cat`
/// into scratch, a destination started afterwards reads it back.
pub fn exec_command(mut vm: Machine) -> TestResult {
    crate::harness::skip::require_commands(&["cat"])?;
    let plan = Plan::for_target(&vm)?;
    let state = vm.env().scratch_file(["migration.state"]);
    plan.launch(&mut vm, None)?;
    let before = plan.migrate(&mut vm, &format!("exec:cat > '{}'", state.display()))?;
    let source = wait_finished(&mut vm)?;
    ensure!(source == "completed", "source migration ended {source}");
    let mut dest = vm.sibling("dest-qemu");
    plan.launch(&mut dest, Some(&format!("exec:cat '{}'", state.display())))?;
    let destination = wait_finished(&mut dest)?;
    ensure!(
        destination == "completed",
        "destination migration ended {destination}"
    );
    let state = dest.qmp().run_state()?;
    ensure!(
        state == before,
        "destination is {state} after migration, the source was {before}"
    );
    Ok(())
}

/// What to migrate on this target: the machine QEMU's own migration
/// tests use, running; else the target's default machine (or, where that
/// needs a kernel to start, one that does not), held at reset with `-S`,
/// since nothing is there to boot on it.
///
/// Every crash is a failure, on every machine: a QEMU bug that stands is a
/// row of `harness::known_failures`, not an excuse here.
struct Plan {
    machine: String,
    held: bool,
}

impl Plan {
    fn for_target(vm: &Machine) -> Result<Plan, TestError> {
        let arch = vm.env().id().arch.clone();
        let known = match arch.as_str() {
            "aarch64" => Some("quanta-gsj"),
            "alpha" => Some("clipper"),
            "arm" => Some("npcm750-evb"),
            "i386" => Some("isapc"),
            "ppc" => Some("sam460ex"),
            "ppc64" => Some("mac99"),
            "riscv32" => Some("spike"),
            "riscv64" => Some("virt"),
            "sparc" => Some("SS-4"),
            "sparc64" => Some("sun4u"),
            "x86_64" => Some("microvm"),
            _ => None,
        };
        if let Some(machine) = known {
            return Ok(Plan {
                machine: machine.to_owned(),
                held: false,
            });
        }
        // m68k's default, mcf5208evb, refuses to start without a kernel.
        if arch == "m68k" {
            return Ok(Plan {
                machine: "virt".to_owned(),
                held: true,
            });
        }
        match vm.default_machine_type()? {
            Some(machine) => Ok(Plan { machine, held: true }),
            None => Err(Skip::new(format!(
                "qemu-system-{arch} has no default machine, and QEMU's migration tests name none for it"
            ))
            .into()),
        }
    }

    /// Launches a source, or with `incoming` a destination.
    fn launch(&self, vm: &mut Machine, incoming: Option<&str>) -> TestResult {
        vm.set_machine(&self.machine)?;
        vm.arg("-nodefaults");
        if self.held {
            vm.arg("-S");
        }
        if let Some(uri) = incoming {
            vm.args(["-incoming", uri]);
        }
        vm.launch()?;
        Ok(())
    }

    /// Starts the migration and returns the source's run state before
    /// it, which the destination must take over. A machine that QEMU says
    /// cannot migrate (`blocked-reasons` of `query-migrate`, a
    /// non-migratable device) is a skip naming QEMU's reasons; a `migrate`
    /// that fails otherwise is a failure.
    fn migrate(&self, vm: &mut Machine, uri: &str) -> Result<String, TestError> {
        let info = vm.cmd("query-migrate", Value::Null)?;
        if let Some(reasons) = info["blocked-reasons"].as_array()
            && !reasons.is_empty()
        {
            let reasons: Vec<&str> = reasons.iter().filter_map(Value::as_str).collect();
            return Err(Skip::new(format!(
                "machine {} cannot migrate in this QEMU: {}",
                self.machine,
                reasons.join("; ")
            ))
            .into());
        }
        let before = vm.qmp().run_state()?;
        match vm.cmd("migrate", json!({ "uri": uri })) {
            Err(MachineError::Qmp(QmpError::Command { class, .. }))
                if class == "CommandNotFound" =>
            {
                Err(Skip::new("this QEMU has no `migrate` command").into())
            }
            other => other.map(|_| before).map_err(Into::into),
        }
    }

    fn assert_migrated(
        &self,
        source: &mut Machine,
        dest: &mut Machine,
        before: &str,
    ) -> TestResult {
        let source_status = wait_finished(source)?;
        let dest_status = wait_finished(dest)?;
        ensure!(
            source_status == "completed",
            "source migration ended {source_status}"
        );
        ensure!(
            dest_status == "completed",
            "destination migration ended {dest_status}"
        );
        let dest_state = dest.qmp().run_state()?;
        ensure!(
            dest_state == before,
            "destination is {dest_state}, the source was {before}"
        );
        let source_state = source.qmp().run_state()?;
        ensure!(
            source_state == "postmigrate",
            "source is {source_state}, expected postmigrate"
        );
        Ok(())
    }
}

/// Polls `query-migrate` until it says completed or failed.
fn wait_finished(vm: &mut Machine) -> Result<String, TestError> {
    let timeout = Duration::from_secs(60);
    let started = Instant::now();
    loop {
        let info = vm.cmd("query-migrate", Value::Null)?;
        let status = info["status"].as_str().unwrap_or_default().to_owned();
        if status == "completed" || status == "failed" {
            if status == "failed" {
                vm.env().log(format_args!("migration failed: {info}"));
            }
            return Ok(status);
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
