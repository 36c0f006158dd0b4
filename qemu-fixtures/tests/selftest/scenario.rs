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

/// The asset and cache a parent test handed over in the environment.
fn asset_and_cache()
-> Result<(qemu_fixtures::assets::Asset, qemu_fixtures::assets::Cache), TestError> {
    let var = |name: &str| std::env::var(name).expect("run by a selftest");
    let asset = qemu_fixtures::assets::Asset::parse(
        var("QEMU_TEST_FETCH_URL"),
        var("QEMU_TEST_FETCH_HASH"),
    )?;
    Ok((
        asset,
        qemu_fixtures::assets::Cache::at(var("QEMU_TEST_FETCH_DIR")),
    ))
}

#[qemu_test]
#[ignore = "a scenario: assets::* run it, several at once"]
fn fetches_an_asset() -> TestResult {
    let (asset, cache) = asset_and_cache()?;
    cache.fetch(&asset, &qemu_fixtures::assets::Quiet)?;
    Ok(())
}

#[qemu_test]
#[ignore = "a scenario: archives::processes_racing_to_unpack_an_asset_unpack_it_once runs it"]
fn unpacks_an_asset() -> TestResult {
    let (asset, cache) = asset_and_cache()?;
    let source = cache.fetch(&asset, &qemu_fixtures::assets::Quiet)?.path;
    let request = qemu_fixtures::assets::unpacked::Request::Member(
        qemu_fixtures::assets::archive::Format::Tar(Some(
            qemu_fixtures::assets::uncompress::Compression::Gzip,
        )),
        "boot/kernel",
    );
    let unpacked =
        qemu_fixtures::assets::unpacked::unpack(&cache, &asset, &source, request, u64::MAX)
            .map_err(|err| TestError::check(err.to_string()))?;
    println!("unpack: {:?}", unpacked.how);
    Ok(())
}

/// Not an archive, whatever its name says.
pub const CORRUPT_BYTES: &[u8] = b"this is not a gzip-compressed tar archive\n";
pub const CORRUPT_PATH: &str = "/tmp/qemu-fixtures-selftest/corrupt.tar.gz";

#[asset]
static CORRUPT: Asset = Asset::new(
    "file:///tmp/qemu-fixtures-selftest/corrupt.tar.gz",
    "28877243ee47bd01eeb9408ed253bb9b8ad3b829a6a3687466ef7f44d5b111e9",
);

#[qemu_test]
#[ignore = "a scenario: archives::a_corrupt_archive_is_named_in_the_failure runs it"]
fn extracts_a_corrupt_asset(env: std::sync::Arc<TestEnv>) -> TestResult {
    env.archive_extract(&CORRUPT, "boot/kernel")?;
    Ok(())
}

#[qemu_test]
#[ignore = "a scenario: timeouts::* run it, with a deadline or a SIGTERM"]
fn waits_on_a_stopped_guest(mut vm: Machine) -> TestResult {
    // A guest that never runs: only a deadline or a signal ends the wait.
    vm.set_machine("pc")?;
    vm.args(["-nodefaults", "-S"]).launch()?;
    hand_off(&vm.pid().expect("launched").to_string());
    vm.console()
        .wait_for("a pattern a stopped guest never prints")?;
    Ok(())
}

#[qemu_test]
#[ignore = "a scenario: timeouts::a_qemu_failing_its_shutdown_fails_a_passing_test runs it"]
fn passes_with_qemu_running(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.args(["-nodefaults", "-S"]).launch()?;
    Ok(())
}
