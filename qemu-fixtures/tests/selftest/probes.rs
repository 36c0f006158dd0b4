//! What a QEMU binary says about itself is asked once per binary across
//! test processes (the disk cache of `vm::probes`), and asked again when
//! the binary changes.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, SystemTime};

use qemu_fixtures::prelude::*;

use crate::support::ignored_test_command;

#[qemu_test]
#[ignore = "a scenario: probes::a_second_process_reads_the_probes_from_disk runs it"]
fn asks_every_probe(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.require_device("virtio-net-pci")?;
    vm.require_accelerator("tcg")?;
    vm.qemu_version()?;
    Ok(())
}

/// Before: every test process ran `-machine help` and the others again. A
/// wrapper that logs each run of the binary shows the second process runs
/// it not at all, and a touched binary (new mtime) is asked again.
#[qemu_test]
fn a_second_process_reads_the_probes_from_disk(env: std::sync::Arc<TestEnv>) -> TestResult {
    let qemu = qemu_fixtures::vm::qemu_binary("x86_64")?;
    let runs = env.scratch_file(["runs.log"]);
    let wrapper = env.scratch_file(["qemu-system-x86_64"]);
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            runs.display(),
            qemu.display()
        ),
    )
    .map_err(|err| TestError::io("writing the wrapper", err))?;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))
        .map_err(|err| TestError::io("chmod the wrapper", err))?;
    let cache = env.scratch_file(["cache"]);
    let run_scenario = || -> Result<usize, TestError> {
        let output = ignored_test_command(
            "probes::asks_every_probe",
            &[
                ("QEMU_TEST_QEMU_BINARY", wrapper.to_str().expect("utf-8")),
                ("QEMU_TEST_CACHE_DIR", cache.to_str().expect("utf-8")),
            ],
        )
        .output()
        .map_err(|err| TestError::io("running the scenario", err))?;
        ensure!(output.status.success(), "the scenario failed: {output:?}");
        let runs = std::fs::read_to_string(&runs).unwrap_or_default();
        env.log(format_args!("the wrapper ran for:\n{runs}"));
        Ok(runs.lines().count())
    };
    let first = run_scenario()?;
    ensure!(
        first == 4,
        "the first process should ask -machine, -device, -accel help and --version once each, asked {first} times"
    );
    let second = run_scenario()?;
    ensure!(
        second == first,
        "the second process ran the binary {} times",
        second - first
    );
    let touched = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&wrapper)
        .and_then(|file| file.set_modified(touched))
        .map_err(|err| TestError::io("touching the wrapper", err))?;
    let third = run_scenario()?;
    ensure!(
        third == 2 * first,
        "a changed binary must be asked again: {} runs after touching it",
        third - second
    );
    Ok(())
}
