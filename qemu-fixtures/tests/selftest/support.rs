//! Helpers of the selftests: a guest that prints a message, and running a
//! scenario of this binary as a child process.

use std::path::PathBuf;
use std::process::{Command, Output};

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::guest::{Then, x86_serial_rom};

/// Prepares `vm` to boot a BIOS that prints `message`, then does `then`.
pub fn boot_message(vm: &mut Machine, message: &str, then: Then) -> Result<(), TestError> {
    vm.set_machine("pc")?;
    let rom = vm.env().scratch_file(["message.rom"]);
    std::fs::write(&rom, x86_serial_rom(message.as_bytes(), then))
        .map_err(|err| TestError::io("writing the guest", err))?;
    vm.args(["-nodefaults", "-bios"]).arg(&rom);
    if let Then::Exit(_) | Then::ExitAfterEnters { .. } = then {
        vm.args(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]);
    }
    Ok(())
}

/// Runs `scenario::<name>` of this test binary in a child process, outside
/// nextest, with `envs` set; its own run id keeps its records apart.
pub fn run_scenario(name: &str, envs: &[(&str, &str)]) -> Output {
    scenario_command(name, envs)
        .output()
        .expect("cannot run this test binary again")
}

pub fn scenario_command(name: &str, envs: &[(&str, &str)]) -> Command {
    ignored_test_command(&format!("scenario::{name}"), envs)
}

/// Runs the ignored test `path` (`module::test`) of this binary as
/// `scenario_command` does: for scenarios whose module name matters.
pub fn ignored_test_command(path: &str, envs: &[(&str, &str)]) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("own path"));
    command
        .args(["--exact", path, "--ignored", "--nocapture"])
        .env_remove("NEXTEST_TEST_NAME")
        .env_remove("NEXTEST_ATTEMPT")
        .env(
            "QEMU_TEST_RUN_ID",
            format!("selftest-{}", std::process::id()),
        );
    for (key, value) in envs {
        command.env(key, value);
    }
    command
}

/// A file the scenario and its parent share, in the parent's scratch.
pub fn handoff_file(env: &TestEnv, name: &str) -> PathBuf {
    env.scratch_file([name])
}

/// Skips unless this test's QEMU exists: the scenarios need one too.
pub fn require_qemu(env: &TestEnv) -> Result<(), TestError> {
    qemu_fixtures::vm::qemu_binary(&env.id().arch)?;
    Ok(())
}
