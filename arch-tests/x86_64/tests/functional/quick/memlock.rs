//! Port of QEMU's tests/functional/x86_64/test_memlock.py: `-overcommit mem-lock=` locks all, none, or on-fault memory of the QEMU process.

use qemu_fixtures::prelude::*;

/// The `kB` fields of `/proc/<pid>/status` (VmLck, VmRSS, VmSize, ...).
fn process_status_values(
    vm: &Machine,
) -> Result<std::collections::HashMap<String, u64>, TestError> {
    let pid = vm
        .pid()
        .ok_or_else(|| TestError::check("QEMU is not running"))?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|_| Skip::new("Can't open status file of the process"))?;
    let kilobytes = status.lines().filter_map(|line| {
        let (name, value) = line.split_once(':')?;
        Some((
            name.to_owned(),
            value.trim().strip_suffix(" kB")?.parse().ok()?,
        ))
    });
    Ok(kilobytes.collect())
}

/// Launches with `-overcommit mem-lock=<memlock>` (2 GiB of locked memory
/// must be allowed, as the original's class decorator asks) and returns
/// QEMU's status values.
fn common_vm_setup_with_memlock(
    mut vm: Machine,
    memlock: &str,
) -> Result<std::collections::HashMap<String, u64>, TestError> {
    skip::locked_memory(2_097_152)?; // 2GB
    vm.args(["-overcommit", &format!("mem-lock={memlock}")])
        .launch()?;
    process_status_values(&vm)
}

#[qemu_test]
fn memlock_off(vm: Machine) -> TestResult {
    let status = common_vm_setup_with_memlock(vm, "off")?;
    ensure!(status["VmLck"] == 0, "VmLck is {} kB", status["VmLck"]);
    Ok(())
}

#[qemu_test]
fn memlock_on(vm: Machine) -> TestResult {
    let status = common_vm_setup_with_memlock(vm, "on")?;
    // VmLck > 0 kB and almost all memory is resident
    ensure!(status["VmLck"] > 0, "VmLck is 0 kB");
    ensure!(
        status["VmRSS"] as f64 >= status["VmSize"] as f64 * 0.70,
        "{status:?}"
    );
    Ok(())
}

#[qemu_test]
fn memlock_onfault(vm: Machine) -> TestResult {
    let status = common_vm_setup_with_memlock(vm, "on-fault")?;
    // VmLck > 0 kB and only few memory is resident
    ensure!(status["VmLck"] > 0, "VmLck is 0 kB");
    ensure!(
        status["VmRSS"] as f64 <= status["VmSize"] as f64 * 0.30,
        "{status:?}"
    );
    Ok(())
}
