//! `xtask tap`: what a meson test of the bridge runs. It runs the tests of
//! one module through the already built test binary, one after the other,
//! and streams TAP version 13: `ok`, `ok ... # SKIP <reason>` from the
//! verdict records our tests write, `not ok` with a YAML block that carries
//! the failure and the log directory. Nothing is built here.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use qemu_fixtures::harness::outcome::{Record, Recorded, read_records, results_root};
use qemu_fixtures::harness::watchdog::TIMEOUT_VARIABLE;

use crate::flags::Tap;
use crate::meson_bridge::{binary_from_manifest, list_tests};
use crate::nextest::{Profile, TestQuery, without_cargo_run_env};

impl Tap {
    pub fn run(self) -> anyhow::Result<()> {
        let config = match &self.workspace {
            Some(workspace) => Profile::load_in(workspace, "default")?,
            None => Profile::load("default")?,
        };
        let binary = match (&self.binary, &self.manifest) {
            (Some(binary), _) => binary.clone(),
            (None, Some(manifest)) => binary_from_manifest(manifest, &self.package)?,
            (None, None) => anyhow::bail!("xtask tap needs --binary or --manifest"),
        };
        let multiplier = self
            .timeout_multiplier
            .or_else(meson_timeout_multiplier)
            .unwrap_or(1.0);
        forward_sigterm();
        let prefix = format!("{}::", self.module);
        let tests: Vec<String> = list_tests(&binary, self.ignored)?
            .into_iter()
            .filter(|test| test.starts_with(&prefix))
            .collect();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let run = format!("tap-{}-{nanos}", std::process::id());
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "TAP version 13")?;
        writeln!(stdout, "1..{}", tests.len())?;
        stdout.flush()?;
        let binary_id = format!("{}::functional", self.package);
        let mut failed = 0;
        for (index, test) in tests.iter().enumerate() {
            let query = TestQuery {
                package: &self.package,
                binary_id: &binary_id,
                test,
            };
            let outcome = run_one(
                &binary,
                test,
                self.ignored,
                &run,
                scaled(
                    config.timeout(&query).unwrap_or(Duration::from_secs(3600)),
                    multiplier,
                ),
            )?;
            let number = index + 1;
            match outcome.verdict() {
                Verdict::Pass => writeln!(stdout, "ok {number} - {test}")?,
                Verdict::Skip(reason) => {
                    writeln!(stdout, "ok {number} - {test} # SKIP {}", one_line(&reason))?
                }
                // TAP's TODO: a failure that does not fail the run.
                Verdict::Xfail(reason) => writeln!(
                    stdout,
                    "not ok {number} - {test} # TODO {}",
                    one_line(&known_failure(&reason))
                )?,
                Verdict::Fail(message) => {
                    failed += 1;
                    writeln!(stdout, "not ok {number} - {test}")?;
                    writeln!(stdout, "  ---")?;
                    writeln!(stdout, "  message: {}", yaml(&message))?;
                    if let Some(record) = &outcome.record {
                        writeln!(
                            stdout,
                            "  log_dir: {}",
                            yaml(&record.log_dir.display().to_string())
                        )?;
                    }
                    writeln!(stdout, "  exit: {}", yaml(&outcome.status))?;
                    writeln!(stdout, "  seconds: {:.3}", outcome.seconds)?;
                    writeln!(stdout, "  ...")?;
                    // meson keeps stderr in its log: the whole story goes there.
                    let mut stderr = std::io::stderr().lock();
                    writeln!(stderr, "==== {test}: output")?;
                    stderr.write_all(&outcome.output)?;
                }
            }
            stdout.flush()?;
            // meson kills this runner 0.5 s after its SIGTERM: the stopped
            // test is reported, the next is not started.
            if terminated() {
                std::process::exit(1);
            }
        }
        writeln!(
            stdout,
            "# verdict records: {}",
            results_root().join(&run).display()
        )?;
        stdout.flush()?;
        if failed > 0 {
            std::process::exit(1);
        }
        Ok(())
    }
}

struct Outcome {
    status: String,
    success: bool,
    timed_out: Option<Duration>,
    record: Option<Record>,
    output: Vec<u8>,
    seconds: f64,
}

enum Verdict {
    Pass,
    Skip(String),
    Xfail(String),
    Fail(String),
}

/// `known failure: <url>`, whether or not the record said it already.
fn known_failure(message: &str) -> String {
    if message.starts_with("known failure") {
        message.to_owned()
    } else {
        format!("known failure: {message}")
    }
}

impl Outcome {
    fn verdict(&self) -> Verdict {
        // The test's own timeout record says what it waited for: it wins.
        if let Some(limit) = self.timed_out
            && !self
                .record
                .as_ref()
                .is_some_and(|record| record.recorded().is_failure())
        {
            return Verdict::Fail(format!(
                "timed out after {}s (the nextest timeout of this test)",
                limit.as_secs()
            ));
        }
        let recorded = self
            .record
            .as_ref()
            .map(|record| (record.recorded(), record));
        match (recorded, self.success) {
            (Some((Recorded::Xpass, record)), _) => Verdict::Fail(format!(
                "a known failure passed; its row in known_failures can go ({})",
                known_failure(&record.message)
            )),
            (Some((verdict, record)), _) if verdict.is_failure() => {
                Verdict::Fail(record.message.clone())
            }
            (Some((Recorded::Skip, record)), true) => Verdict::Skip(record.message.clone()),
            (Some((Recorded::Xfail, record)), _) => Verdict::Xfail(record.message.clone()),
            (_, true) => Verdict::Pass,
            (_, false) => Verdict::Fail(format!(
                "the test process {}: {}",
                self.status,
                last_lines(&self.output)
            )),
        }
    }
}

fn run_one(
    binary: &Path,
    test: &str,
    ignored: bool,
    run: &str,
    timeout: Duration,
) -> anyhow::Result<Outcome> {
    let mut command = Command::new(binary);
    without_cargo_run_env(&mut command).args(["--exact", test, "--nocapture"]);
    if ignored {
        command.arg("--ignored");
    }
    command
        .env("QEMU_TEST_RUN_ID", run)
        // The test's waits end inside the timeout this runner enforces, so
        // the test says what it waited for before it is killed.
        .env(TIMEOUT_VARIABLE, timeout.as_secs_f64().to_string())
        .env_remove("NEXTEST_TEST_NAME")
        .env_remove("NEXTEST_ATTEMPT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A group of its own, so that a timeout takes its QEMUs too; and it
        // dies with this runner if meson kills us.
        .process_group(0);
    // SAFETY: prctl is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = command.spawn()?;
    let readers = [
        child.stdout.take().map(drain),
        child.stderr.take().map(drain),
    ];
    let (status, timed_out) = wait(&mut child, timeout)?;
    let mut output = Vec::new();
    for reader in readers.into_iter().flatten() {
        output.extend(reader.join().unwrap_or_default());
    }
    let record = read_records(&results_root().join(run))
        .unwrap_or_default()
        .into_iter()
        .filter(|record| record.test == test)
        .max_by_key(|record| record.attempt);
    Ok(Outcome {
        status: status.to_string(),
        success: status.success(),
        timed_out: timed_out.then_some(timeout),
        record,
        output,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Waits up to `timeout`, or until meson's SIGTERM reaches this runner;
/// then SIGTERM to the group, so that the test prints its failure, and
/// SIGKILL after a grace: 10 s, or 0.4 s when meson kills us 0.5 s after
/// its own SIGTERM.
fn wait(child: &mut Child, timeout: Duration) -> anyhow::Result<(ExitStatus, bool)> {
    let started = Instant::now();
    let group = -(child.id() as i32);
    let mut signalled: Option<(Instant, Duration)> = None;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status, signalled.is_some()));
        }
        match signalled {
            None if terminated() => {
                // SAFETY: signals the group we created for the child.
                unsafe { libc::kill(group, libc::SIGTERM) };
                signalled = Some((Instant::now(), Duration::from_millis(400)));
            }
            None if started.elapsed() > timeout => {
                // SAFETY: as above.
                unsafe { libc::kill(group, libc::SIGTERM) };
                signalled = Some((Instant::now(), Duration::from_secs(10)));
            }
            Some((at, grace)) if at.elapsed() > grace => {
                // SAFETY: as above.
                unsafe { libc::kill(group, libc::SIGKILL) };
            }
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `timeout × multiplier`; a multiplier of 0 or less means no timeout, as
/// for `meson test -t 0`.
fn scaled(timeout: Duration, multiplier: f64) -> Duration {
    if multiplier > 0.0 {
        Duration::try_from_secs_f64(timeout.as_secs_f64() * multiplier).unwrap_or(Duration::MAX)
    } else {
        // A century: waits that compute deadlines from it must not overflow.
        Duration::from_secs(100 * 365 * 24 * 3600)
    }
}

/// The `-t N` / `--timeout-multiplier N` of the `meson test` that started
/// this runner. meson exports no variable for it, but its command line is
/// its documented interface, readable in `/proc/<parent>/cmdline`.
fn meson_timeout_multiplier() -> Option<f64> {
    let parent = std::os::unix::process::parent_id();
    let cmdline = std::fs::read(format!("/proc/{parent}/cmdline")).ok()?;
    let args: Vec<String> = cmdline
        .split(|byte| *byte == 0)
        .map(|arg| String::from_utf8_lossy(arg).into_owned())
        .collect();
    timeout_multiplier_in(&args)
}

/// The multiplier in `meson ... test <options>`; `None` for another command.
fn timeout_multiplier_in(args: &[String]) -> Option<f64> {
    let meson = args.iter().position(|arg| {
        Path::new(arg)
            .file_name()
            .is_some_and(|name| name == "meson")
    })?;
    let test = meson + 1 + args[meson + 1..].iter().position(|arg| arg == "test")?;
    let mut multiplier = None;
    let mut options = args[test + 1..].iter();
    while let Some(arg) = options.next() {
        let value = match arg.as_str() {
            "-t" | "--timeout-multiplier" => options.next().map(String::as_str),
            _ => arg
                .strip_prefix("--timeout-multiplier=")
                .or_else(|| arg.strip_prefix("-t").filter(|value| !value.is_empty())),
        };
        if let Some(value) = value.and_then(|value| value.parse::<f64>().ok()) {
            // meson's argparse: the last one wins.
            multiplier = Some(value);
        }
    }
    multiplier
}

static TERMINATED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether meson (or anyone) sent this runner SIGTERM.
fn terminated() -> bool {
    TERMINATED.load(std::sync::atomic::Ordering::SeqCst)
}

/// meson's timeout signals only this runner's process group; the running
/// test has a group of its own, so `wait` passes the signal on.
fn forward_sigterm() {
    extern "C" fn on_sigterm(_: libc::c_int) {
        TERMINATED.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        libc::signal(
            libc::SIGTERM,
            on_sigterm as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

fn last_lines(output: &[u8]) -> String {
    let text = String::from_utf8_lossy(output);
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    lines[lines.len().saturating_sub(3)..].join(" / ")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A YAML scalar: a JSON string is one.
fn yaml(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

#[cfg(test)]
mod timeout_tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn the_multiplier_is_read_from_meson_test_command_lines() {
        let read = |line| timeout_multiplier_in(&args(line));
        assert_eq!(
            read("/usr/bin/python3 /usr/local/bin/meson test -C build -t 4"),
            Some(4.0)
        );
        assert_eq!(
            read("meson test --timeout-multiplier 2.5 func-arm-uboot"),
            Some(2.5)
        );
        assert_eq!(read("meson test --timeout-multiplier=3"), Some(3.0));
        assert_eq!(read("meson test -t3 --suite func-quick"), Some(3.0));
        assert_eq!(read("meson test --suite func-quick"), None);
        assert_eq!(read("meson compile -t 4"), None);
        assert_eq!(read("cargo nextest run -t 4"), None);
    }

    #[test]
    fn scaled_timeouts_follow_meson() {
        assert_eq!(
            scaled(Duration::from_secs(60), 4.0),
            Duration::from_secs(240)
        );
        assert_eq!(
            scaled(Duration::from_secs(60), 0.5),
            Duration::from_secs(30)
        );
        assert!(scaled(Duration::from_secs(60), 0.0) > Duration::from_secs(1 << 30));
    }
}
