//! Reverse debugging through QEMU's gdbstub: record a run, replay it under gdb, step forward, step and continue backwards, compare PCs; QEMU's `ReverseDebugging` (tests/functional/reverse_debugging.py).

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::gdb::{Gdb, Reply, find_gdb};
use crate::ensure;
use crate::harness::ports::Ports;
use crate::harness::{Machine, Skip, TestError, TestResult};
use crate::vm::WaitTimeout;

/// How many instructions are stepped forward and back (upstream's `STEPS`).
pub const STEPS: usize = 10;

/// How long one gdb command may take: upstream's (pygdbmi's) 32 s, so
/// that a reverse-continue that never stops fails well within the
/// module's timeout.
pub const GDB_TIMEOUT: Duration = Duration::from_secs(32);

/// The byte order gdb is told before it connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    /// gdb's default for the architecture.
    Default,
    /// `set endian big` (upstream's `big_endian=True`).
    Big,
}

/// Upstream's `reverse_debugging(gdb_arch, shift, args, big_endian)`: a
/// recording QEMU runs (with `-icount shift=<shift>,rr=record` and a
/// qcow2 disk for the initial snapshot) until it has executed more than
/// [`STEPS`] instructions; a replaying QEMU then waits for gdb, which
/// steps [`STEPS`] instructions, steps them back and forward again
/// comparing PCs, sets breakpoints on them, runs to the end of the
/// recording and continues backwards to the last of them. `vm` holds the
/// test's machine type and arguments; it is not launched itself. A gdb
/// without `gdb_arch` is a skip.
pub fn reverse_debugging(
    vm: &mut Machine,
    gdb_arch: &str,
    shift: u32,
    args: &[&dyn AsRef<OsStr>],
    endian: Endian,
) -> TestResult {
    let gdb_program = find_gdb()?;
    vm.require_accelerator("tcg")?;
    let env = vm.env().clone();
    env.log("creating qcow2 image for VM snapshots");
    let image = env.scratch_file(["disk.qcow2"]);
    env.run_qemu_img([
        OsStr::new("create"),
        OsStr::new("-f"),
        OsStr::new("qcow2"),
        image.as_os_str(),
        OsStr::new("128M"),
    ])?;
    let replay_path = env.scratch_file(["replay.bin"]);
    let args: Vec<OsString> = args.iter().map(|arg| arg.as_ref().to_owned()).collect();

    let mut record = vm.twin("record");
    env.log("recording the execution...");
    run_vm(&mut record, "record", shift, &args, &replay_path, &image)?;
    let deadline = Instant::now() + WaitTimeout::from_env().ceiling;
    while icount(&mut record)? <= STEPS as u64 {
        ensure!(
            Instant::now() < deadline,
            "the recording QEMU did not execute {STEPS} instructions"
        );
    }
    let last_icount = icount(&mut record)?;
    record.shutdown()?;
    env.log(format_args!("recorded log with {last_icount}+ steps"));

    let mut replay = vm.twin("replay");
    env.log("replaying the execution...");
    let port = {
        let ports = Ports::lock()?;
        let port = ports.find_free_port()?;
        replay.args(["-gdb", &format!("tcp::{port}"), "-S"]);
        run_vm(&mut replay, "replay", shift, &args, &replay_path, &image)?;
        port
    };
    env.log("connecting to gdbstub...");
    let mut gdb = Gdb::start(&gdb_program, &env.log_file(["gdb.log"]), GDB_TIMEOUT)
        .map_err(|err| TestError::check(err.to_string()))?;
    if endian == Endian::Big {
        cli(&mut gdb, "set endian big")?;
    }
    if let Err(err) = reverse_debugging_run(&mut gdb, &mut replay, port, gdb_arch, last_icount) {
        if !matches!(err, TestError::Skip(_)) {
            // A replaying QEMU whose gdb command never finished may answer
            // no `quit` either (QEMU 10.0.2's reverse-continue wedges on a
            // loaded host): waiting for QMP's and quit's timeouts would
            // outlast the test's, and the verdict would never be said.
            env.log("the replay failed: killing gdb and the replaying QEMU");
            drop(gdb);
            replay.kill();
        }
        return Err(err);
    }
    env.log("exiting gdb and qemu");
    gdb.exit();
    replay.shutdown()?;
    env.log("test passed");
    Ok(())
}

/// Upstream's `run_vm`: `-icount` with the replay file and the initial
/// snapshot `init`, no network, the snapshot disk, then the test's args.
fn run_vm(
    vm: &mut Machine,
    mode: &str,
    shift: u32,
    args: &[OsString],
    replay_path: &Path,
    image_path: &Path,
) -> TestResult {
    vm.set_console();
    vm.arg("-icount")
        .arg(format!(
            "shift={shift},rr={mode},rrfile={},rrsnapshot=init",
            replay_path.display()
        ))
        .args(["-net", "none", "-drive"])
        .arg(format!("file={},if=none", image_path.display()))
        .args(args);
    vm.launch()?;
    Ok(())
}

/// Upstream's `reverse_debugging_run`.
fn reverse_debugging_run(
    gdb: &mut Gdb,
    vm: &mut Machine,
    port: u16,
    gdb_arch: &str,
    last_icount: u64,
) -> TestResult {
    let env = vm.env().clone();
    let architectures = cli(gdb, "set architecture")?;
    if !architectures.log.contains(gdb_arch) {
        return Err(Skip::new(format!("GDB does not support arch '{gdb_arch}'")).into());
    }
    cli(gdb, "set debug remote 1")?;
    let connected = cli(gdb, &format!("target remote localhost:{port}"))?;
    ensure!(
        connected
            .console
            .contains(&format!("Remote debugging using localhost:{port}")),
        "Could not connect to gdbstub! gdb said: {}{}",
        connected.console,
        connected.error.unwrap_or_default()
    );
    // Remote debug messages are in the log stream.
    ensure!(
        connected.log.contains("ReverseStep+"),
        "Reverse step is not supported by QEMU"
    );
    ensure!(
        connected.log.contains("ReverseContinue+"),
        "Reverse continue is not supported by QEMU"
    );
    cli(gdb, "set debug remote 0")?;

    env.log("stepping forward");
    let mut steps = Vec::new();
    for _ in 0..STEPS {
        let pc = get_pc(gdb)?;
        env.log(format_args!("saving position {pc:x}"));
        steps.push(pc);
        cli(gdb, "stepi")?;
    }

    env.log("stepping backward");
    for &addr in steps.iter().rev() {
        env.log(format_args!("found position {addr:x}"));
        cli(gdb, "reverse-stepi")?;
        let pc = get_pc(gdb)?;
        ensure!(
            pc == addr,
            "Reverse stepping failed! (read PC {pc:x} instead of {addr:x})"
        );
    }

    env.log("stepping forward");
    for &addr in &steps {
        env.log(format_args!("found position {addr:x}"));
        let pc = get_pc(gdb)?;
        ensure!(
            pc == addr,
            "Forward stepping failed! (read PC {pc:x} instead of {addr:x})"
        );
        cli(gdb, "stepi")?;
    }

    env.log("setting breakpoints");
    for addr in &steps {
        cli(gdb, &format!("break *{addr:#x}"))?;
    }

    // This may hit a breakpoint if the first instructions run again.
    env.log("continuing execution");
    vm.cmd("replay-break", json!({ "icount": last_icount - 1 }))?;
    // Stops at the replay-break (gdb gets a SIGINT) or at a breakpoint.
    cli(gdb, "continue")?;
    let reached = icount(vm)?;
    if reached == last_icount - 1 {
        env.log(format_args!("reached the end (icount {reached})"));
    } else {
        let pc = get_pc(gdb)?;
        env.log(format_args!(
            "hit a breakpoint again at {pc:x} (icount {reached})"
        ));
    }

    let last = *steps.last().expect("STEPS is not zero");
    env.log(format_args!("running reverse continue to reach {last:x}"));
    cli(gdb, "reverse-continue")?;
    // Assumes none of the first instructions runs again, which would
    // break the order of the breakpoints.
    let pc = get_pc(gdb)?;
    ensure!(
        pc == last,
        "'reverse-continue' did not hit the first PC in reverse order! (PC {pc:x}, expected {last:x})"
    );
    env.log(format_args!("successfully reached {last:x}"));
    Ok(())
}

/// Upstream's `get_pc`: `print $pc`, its address.
fn get_pc(gdb: &mut Gdb) -> Result<u64, TestError> {
    let reply = cli(gdb, "print $pc")?;
    reply.addr().ok_or_else(|| {
        TestError::check(format!(
            "gdb printed no address for $pc: {}{}",
            reply.console,
            reply.error.unwrap_or_default()
        ))
    })
}

/// Upstream's `vm_get_icount`: `query-replay`'s `icount`.
fn icount(vm: &mut Machine) -> Result<u64, TestError> {
    let replay = vm.cmd("query-replay", Value::Null)?;
    replay["icount"]
        .as_u64()
        .ok_or_else(|| TestError::check(format!("query-replay returned no icount: {replay}")))
}

/// A gdb command; gdb timing out or exiting is a failure ("Timeout while
/// connecting to or communicating with gdbstub..." upstream).
fn cli(gdb: &mut Gdb, command: &str) -> Result<Reply, TestError> {
    gdb.cli(command).map_err(|err| {
        TestError::check(format!(
            "while connecting to or communicating with gdbstub: {err}"
        ))
    })
}
