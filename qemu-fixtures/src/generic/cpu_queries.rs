//! Shared tests `cpu_queries`: CPU model definitions are named, and a listed model runs.

use serde_json::{Value, json};

use crate::ensure;
use crate::harness::{Machine, Skip, TestError, TestResult};
use crate::vm::{MachineError, QmpError};

/// `query-cpu-definitions` names every model, with no empty feature.
pub fn definitions_are_named(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.args(["-nodefaults", "-S"]).launch()?;
    let definitions = cpu_definitions(&mut vm)?;
    ensure!(
        !definitions.is_empty(),
        "query-cpu-definitions lists no CPU model"
    );
    for definition in &definitions {
        let name = definition["name"].as_str().unwrap_or_default();
        ensure!(!name.is_empty(), "a CPU model has no name: {definition}");
        // Some ppc models list no type at all; one that does names a CPU.
        let typename = definition["typename"].as_str().unwrap_or_default();
        ensure!(
            typename.is_empty() || typename.ends_with("-cpu"),
            "CPU model {name} has type {typename:?}, which is no CPU type"
        );
        if let Some(features) = definition["unavailable-features"].as_array() {
            ensure!(
                !features.iter().any(|feature| feature.as_str() == Some("")),
                "CPU model {name} lists an empty unavailable feature"
            );
        }
    }
    Ok(())
}

/// A model from `query-cpu-definitions`, given with `-cpu`, is the CPU
/// `query-cpus-fast` shows, of the QOM type the definition names. It
/// runs on the target's default machine, or on `none` (which creates the
/// CPU given with `-cpu`) when there is no default.
pub fn listed_model_runs(mut vm: Machine) -> TestResult {
    // The default machine, unless it needs a payload to start (m68k's
    // wants a kernel); `none` creates the CPU that `-cpu` names.
    let mut machine = vm
        .default_machine_type()?
        .unwrap_or_else(|| "none".to_owned());
    vm.set_machine(&machine)?;
    vm.args(["-nodefaults", "-S"]);
    let refused_bare = match vm.launch() {
        Err(MachineError::DidNotStart { output, .. }) => Some(output),
        other => other.map(drop).map(|()| None)?,
    };
    if let Some(output) = refused_bare {
        vm.env().log(format_args!(
            "machine {machine} does not start bare ({}): using none",
            output.trim()
        ));
        machine = "none".to_owned();
        vm = vm.sibling("none");
        vm.set_machine(&machine)?;
        vm.args(["-nodefaults", "-S"]).launch()?;
    }
    let definitions = cpu_definitions(&mut vm)?;
    vm.shutdown()?;
    // A machine accepts only some models: the first few it refuses are
    // skipped over (QEMU's reasons go to base.log), the first it takes
    // is checked.
    let mut refused = Vec::new();
    // Models whose features all run here (TCG lacks some of s390x's)
    // come first.
    let runnable = |definition: &&Value| {
        definition["unavailable-features"]
            .as_array()
            .is_none_or(|features| features.is_empty())
    };
    let usable = definitions
        .iter()
        .filter(|definition| definition["deprecated"] != Value::Bool(true))
        .filter(|definition| definition["alias-of"].is_null())
        .filter(|definition| {
            definition["typename"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        });
    let candidates = usable
        .clone()
        .filter(runnable)
        .chain(usable.filter(|d| !runnable(d)))
        .take(5);
    for definition in candidates {
        let name = definition["name"].as_str().unwrap_or_default();
        let typename = definition["typename"].as_str().unwrap_or_default();
        let mut cpu_vm = vm.sibling(&format!("cpu-{}", refused.len() + 1));
        cpu_vm.set_machine(&machine)?;
        cpu_vm.args(["-nodefaults", "-S", "-cpu", name]);
        match cpu_vm.launch() {
            Ok(_) => {}
            Err(MachineError::DidNotStart { output, .. }) => {
                refused.push(format!("{name}: {}", output.trim()));
                continue;
            }
            Err(err) => return Err(err.into()),
        }
        let cpus = cpu_vm.cmd("query-cpus-fast", Value::Null)?;
        let cpus = cpus.as_array().cloned().unwrap_or_default();
        ensure!(
            !cpus.is_empty(),
            "-cpu {name} on machine {machine} gives no CPU"
        );
        let arch = cpu_vm.env().id().arch.clone();
        ensure!(
            cpus[0]["target"].as_str() == Some(arch.as_str()),
            "query-cpus-fast says target {}, expected {arch}",
            cpus[0]["target"]
        );
        let path = cpus[0]["qom-path"].as_str().unwrap_or_default().to_owned();
        let actual = cpu_vm.cmd("qom-get", json!({ "path": path, "property": "type" }))?;
        ensure!(
            actual.as_str() == Some(typename),
            "CPU at {path} is a {actual}, expected {typename} for -cpu {name}"
        );
        return Ok(());
    }
    Err(TestError::check(format!(
        "machine {machine} refused every CPU model tried:\n{}",
        refused.join("\n")
    )))
}

fn cpu_definitions(vm: &mut Machine) -> Result<Vec<Value>, TestError> {
    match vm.cmd("query-cpu-definitions", Value::Null) {
        Ok(list) => Ok(list.as_array().cloned().unwrap_or_default()),
        Err(MachineError::Qmp(QmpError::Command { class, .. })) if class == "CommandNotFound" => {
            Err(Skip::new(format!(
                "query-cpu-definitions is not implemented by qemu-system-{}",
                vm.env().id().arch
            ))
            .into())
        }
        Err(err) => Err(err.into()),
    }
}
