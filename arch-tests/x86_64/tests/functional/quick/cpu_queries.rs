//! Port of QEMU's tests/functional/x86_64/test_cpu_queries.py: query-cpu-model-expansion works for every CPU model query-cpu-definitions lists.

use qemu_fixtures::prelude::*;

#[qemu_test]
fn test(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.arg("-S").launch()?;
    let cpus = vm.cmd("query-cpu-definitions", Value::Null)?;
    let cpus = cpus.as_array().cloned().unwrap_or_default();
    for c in &cpus {
        vm.env().log(format_args!("Checking CPU: {c}"));
        let unavailable = &c["unavailable-features"];
        ensure!(
            !unavailable
                .as_array()
                .is_some_and(|features| features.contains(&json!(""))),
            "{}: an empty name among unavailable-features {unavailable}",
            c["name"]
        );
    }
    for c in &cpus {
        let e = vm.cmd(
            "query-cpu-model-expansion",
            json!({"model": {"name": c["name"]}, "type": "full"}),
        )?;
        ensure!(
            e["model"]["name"] == c["name"],
            "expanded {} as {}",
            c["name"],
            e["model"]["name"]
        );
    }
    Ok(())
}
