//! Scenarios that the other selftests run as child processes, because what
//! they check happens when a test process ends: they are ignored in a
//! normal run. Each writes what its parent needs to `$QEMU_TEST_HANDOFF`.

use std::time::Duration;

use qemu_fixtures::prelude::*;

fn hand_off(text: &str) {
    let path = std::env::var("QEMU_TEST_HANDOFF").expect("run by a selftest");
    std::fs::write(path, text).expect("writing the handoff file");
}

fn launch_and_hand_off_pid(vm: &mut Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.args(["-nodefaults", "-S"]).launch()?;
    hand_off(&vm.pid().expect("launched").to_string());
    Ok(())
}

#[qemu_test]
#[ignore = "a scenario: cleanup::no_qemu_left_after_a_panicking_test runs it"]
fn panics_with_qemu_running(mut vm: Machine) -> TestResult {
    launch_and_hand_off_pid(&mut vm)?;
    panic!("deliberate panic with QEMU running");
}

#[qemu_test]
#[ignore = "a scenario: cleanup::no_qemu_left_* run it and kill it"]
fn sleeps_with_qemu_running(mut vm: Machine) -> TestResult {
    launch_and_hand_off_pid(&mut vm)?;
    std::thread::sleep(Duration::from_secs(120));
    Ok(())
}

#[qemu_test]
#[ignore = "a scenario: cleanup::sockets_work_from_a_deep_build_root runs it"]
fn uses_sockets_under_a_deep_build_root(mut vm: Machine) -> TestResult {
    let socket = vm.env().socket_file("chardev.sock");
    vm.set_machine("none")?;
    vm.args(["-nodefaults", "-S", "-chardev"])
        .arg(format!(
            "socket,id=extra,path={},server=on,wait=off",
            socket.display()
        ))
        .launch()?;
    ensure!(socket.exists(), "QEMU did not create {}", socket.display());
    hand_off(&format!(
        "{}\n{}",
        vm.env().log_dir().display(),
        socket.display()
    ));
    Ok(())
}

#[qemu_test]
#[ignore = "a scenario: files_and_logs::scratch_* run it"]
fn writes_scratch_and_passes(env: std::sync::Arc<TestEnv>) -> TestResult {
    let file = env.scratch_file(["deep", "file"]);
    std::fs::write(&file, "x").map_err(|err| TestError::io("writing scratch", err))?;
    hand_off(&file.display().to_string());
    Ok(())
}

#[qemu_test]
#[ignore = "a scenario: files_and_logs::scratch_is_kept_on_failure runs it"]
fn writes_scratch_and_fails(env: std::sync::Arc<TestEnv>) -> TestResult {
    let file = env.scratch_file(["deep", "file"]);
    std::fs::write(&file, "x").map_err(|err| TestError::io("writing scratch", err))?;
    hand_off(&file.display().to_string());
    Err(TestError::check("deliberate failure"))
}

#[qemu_test]
#[ignore = "a scenario: files_and_logs::a_skip_says_why_and_is_recorded runs it"]
fn needs_qemu(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.launch()?;
    Ok(())
}
