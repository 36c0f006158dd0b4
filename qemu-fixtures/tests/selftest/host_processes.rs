//! What a test shares with processes beside QEMU: an inherited socket pair
//! (`vm::inheritable_socket_pair`, upstream's `socket.socketpair` with
//! `os.set_inheritable`) and host daemons (`TestEnv::start_daemon`).

use std::io::{BufRead, BufReader};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::inheritable_socket_pair;

/// The first line that arrives on `end`, within 30 s.
fn first_line(end: std::os::fd::OwnedFd) -> Result<String, TestError> {
    let stream = UnixStream::from(end);
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|err| TestError::io("setting the pair's read timeout", err))?;
    let mut line = String::new();
    BufReader::new(stream)
        .read_line(&mut line)
        .map_err(|err| TestError::io("reading our end of the pair", err))?;
    Ok(line)
}

/// QEMU, given one end by number (`-chardev socket,fd=N`, as
/// test_virtio_gpu.py gives `vhost-user-vga`'s), serves a second QMP
/// monitor on it: its greeting arrives at the other end.
#[qemu_test]
fn qemu_serves_a_monitor_on_an_inherited_end(mut vm: Machine) -> TestResult {
    let (qemu_end, ours) =
        inheritable_socket_pair().map_err(|err| TestError::io("creating a socket pair", err))?;
    vm.set_machine("none")?;
    vm.disable_console()
        .args([
            "-chardev",
            &format!("socket,id=extra,fd={}", qemu_end.as_raw_fd()),
        ])
        .args(["-mon", "chardev=extra,mode=control"])
        .launch()?;
    let greeting = first_line(ours)?;
    ensure!(
        greeting.starts_with("{\"QMP\": {\"version\": {\"qemu\":"),
        "no QMP greeting on the inherited end: {greeting:?}"
    );
    Ok(())
}

/// A daemon inherits the other end (upstream's `close_fds=False`): what
/// it writes there arrives at ours, and what it prints is in its log.
#[qemu_test]
fn a_daemon_inherits_the_pair_and_logs_its_output(env: Arc<TestEnv>) -> TestResult {
    let (daemon_end, ours) =
        inheritable_socket_pair().map_err(|err| TestError::io("creating a socket pair", err))?;
    let script = format!(
        "echo printed by the daemon; echo sent through fd {fd} >&{fd}",
        fd = daemon_end.as_raw_fd()
    );
    let daemon = env.start_daemon("daemon.log", Path::new("sh"), ["-c", &script])?;
    let exit = daemon.wait()?;
    ensure!(exit.success(), "the daemon {exit}");
    drop(daemon_end);
    let line = first_line(ours)?;
    ensure!(
        line.starts_with("sent through fd"),
        "the pair carried {line:?}"
    );
    let log = std::fs::read_to_string(env.log_file(["daemon.log"]))
        .map_err(|err| TestError::io("reading daemon.log", err))?;
    ensure!(log == "printed by the daemon\n", "daemon.log holds {log:?}");
    Ok(())
}

/// `terminate` stops a daemon that would run for a minute with SIGTERM.
#[qemu_test]
fn terminate_stops_a_daemon_with_sigterm(env: Arc<TestEnv>) -> TestResult {
    let daemon = env.start_daemon("sleep.log", Path::new("sleep"), ["60"])?;
    ensure!(daemon.exit().is_none(), "sleep 60 ended at once");
    let exit = daemon.terminate()?;
    ensure!(
        exit.signal() == Some(libc::SIGTERM),
        "sleep 60 {exit}, expected SIGTERM"
    );
    Ok(())
}
