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

use qemu_fixtures::harness::outcome::{Record, read_records, results_root};

use crate::flags::Tap;
use crate::meson_bridge::list_tests;
use crate::nextest::{Profile, TestQuery, without_cargo_run_env};

impl Tap {
    pub fn run(self) -> anyhow::Result<()> {
        let config = Profile::load("default")?;
        let prefix = format!("{}::", self.module);
        let tests: Vec<String> = list_tests(&self.binary, self.ignored)?
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
                &self.binary,
                test,
                self.ignored,
                &run,
                config.timeout(&query).unwrap_or(Duration::from_secs(3600)),
            )?;
            let number = index + 1;
            match outcome.verdict() {
                Verdict::Pass => writeln!(stdout, "ok {number} - {test}")?,
                Verdict::Skip(reason) => {
                    writeln!(stdout, "ok {number} - {test} # SKIP {}", one_line(&reason))?
                }
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
    Fail(String),
}

impl Outcome {
    fn verdict(&self) -> Verdict {
        if let Some(limit) = self.timed_out {
            return Verdict::Fail(format!(
                "timed out after {}s (the nextest timeout of this test)",
                limit.as_secs()
            ));
        }
        match (&self.record, self.success) {
            (Some(record), _) if record.verdict == "fail" => Verdict::Fail(record.message.clone()),
            (Some(record), true) if record.verdict == "skip" => {
                Verdict::Skip(record.message.clone())
            }
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

/// Waits up to `timeout`; then SIGTERM to the group, and SIGKILL 10 s later.
fn wait(child: &mut Child, timeout: Duration) -> anyhow::Result<(ExitStatus, bool)> {
    let started = Instant::now();
    let group = -(child.id() as i32);
    let mut signalled = None;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status, signalled.is_some()));
        }
        match signalled {
            None if started.elapsed() > timeout => {
                // SAFETY: signals the group we created for the child.
                unsafe { libc::kill(group, libc::SIGTERM) };
                signalled = Some(Instant::now());
            }
            Some(at) if at.elapsed() > Duration::from_secs(10) => {
                unsafe { libc::kill(group, libc::SIGKILL) };
            }
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(50));
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
