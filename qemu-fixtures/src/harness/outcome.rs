//! The verdict of one test: pass, skip with its reason, or failure with its
//! kind and log directory; printed, recorded for our reports, and handed to
//! libtest.
//!
//! libtest and nextest know only pass and fail, so a skip passes for them.
//! Every verdict is therefore also written as a record under
//! `<functional root>/results/<run id>/`, which `cargo xtask report`, the
//! meson TAP runner and the JUnit rewrite read: none of them counts a skip as
//! a pass.

use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Termination};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::known_failures::{self, Judgement};
use super::skip::Skip;
use super::testenv::{self, TestEnv};
use super::watchdog::{self, InFlight};
use crate::assets::AssetError;
use crate::assets::archive::ArchiveError;
use crate::assets::uncompress::UncompressError;
use crate::vm::interrupt::Stop;
use crate::vm::{ConsoleError, MachineError, QmpError, Unavailable};

/// What a test body returns; `?` carries a skip or a failure out.
pub type TestResult = Result<(), TestError>;

/// Why a test did not pass.
#[derive(Debug, thiserror::Error)]
pub enum TestError {
    #[error("{0}")]
    Skip(Skip),
    #[error(transparent)]
    Machine(MachineError),
    #[error(transparent)]
    Console(#[from] ConsoleError),
    #[error(transparent)]
    Qmp(QmpError),
    #[error(transparent)]
    Asset(AssetError),
    /// A file that would not unpack: a corrupt or hostile archive, named
    /// by its asset's URL when it is one.
    #[error("{}{source}", asset.as_deref().map(|url| format!("{url}: ")).unwrap_or_default())]
    Archive {
        asset: Option<String>,
        #[source]
        source: ArchiveError,
    },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// A check of the test itself did not hold.
    #[error("{0}")]
    Check(String),
}

impl TestError {
    /// A failed check, with the message a reader of the log needs.
    pub fn check(message: impl Into<String>) -> TestError {
        TestError::Check(message.into())
    }

    /// An I/O failure, with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> TestError {
        TestError::Io {
            context: context.into(),
            source,
        }
    }

    /// Whether the test ran out of time: a wait's deadline, the test's,
    /// or nextest's timeout (SIGTERM). Recorded as `timeout`.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            TestError::Console(ConsoleError::Timeout { .. } | ConsoleError::Interrupted { .. })
                | TestError::Qmp(QmpError::Interrupted { .. })
        )
    }

    /// The kind of failure, the first thing a failure report says.
    pub fn kind(&self) -> &'static str {
        match self {
            TestError::Skip(_) => "skipped",
            TestError::Machine(err) => err.kind(),
            TestError::Console(err) => err.kind(),
            TestError::Qmp(QmpError::Closed { .. }) => "QEMU died",
            TestError::Qmp(QmpError::Interrupted { .. }) => "timeout",
            TestError::Qmp(_) => "QMP error",
            TestError::Asset(AssetError::HashMismatch { .. }) => "asset hash mismatch",
            // Not "unavailable": the cache dir or disk of this machine failed.
            TestError::Asset(err) if err.is_local() => "asset cache I/O error",
            TestError::Asset(_) => "asset unavailable",
            TestError::Archive { .. } => "asset does not unpack",
            TestError::Io { .. } => "I/O error",
            TestError::Check(_) => "check failed",
        }
    }
}

impl From<Skip> for TestError {
    fn from(skip: Skip) -> TestError {
        TestError::Skip(skip)
    }
}

/// What this host lacks is a skip; a configuration mistake (a
/// `QEMU_TEST_QEMU_BINARY` that is not executable) fails.
impl From<Unavailable> for TestError {
    fn from(unavailable: Unavailable) -> TestError {
        if unavailable.is_configuration_error() {
            TestError::Machine(MachineError::Unavailable(unavailable))
        } else {
            TestError::Skip(unavailable.into())
        }
    }
}

impl From<MachineError> for TestError {
    fn from(err: MachineError) -> TestError {
        match err {
            MachineError::Unavailable(unavailable) => unavailable.into(),
            MachineError::Qmp(qmp) => TestError::Qmp(qmp),
            err => TestError::Machine(err),
        }
    }
}

/// A download that may succeed later is a skip, as in QEMU's CI; a 404, a
/// hash mismatch or a local I/O error (`AssetError::is_local`) fails the
/// test, with its cause in the message.
impl From<AssetError> for TestError {
    fn from(err: AssetError) -> TestError {
        if err.is_transient() {
            TestError::Skip(Skip::new(format!("download failed: {err}")))
        } else if let AssetError::DownloadDisabled { .. } | AssetError::Unavailable { .. } = err {
            TestError::Skip(Skip::new(err.to_string()))
        } else {
            TestError::Asset(err)
        }
    }
}

impl From<ArchiveError> for TestError {
    fn from(source: ArchiveError) -> TestError {
        TestError::Archive {
            asset: None,
            source,
        }
    }
}

impl From<UncompressError> for TestError {
    fn from(err: UncompressError) -> TestError {
        ArchiveError::from(err).into()
    }
}

impl From<QmpError> for TestError {
    fn from(err: QmpError) -> TestError {
        TestError::Qmp(err)
    }
}

/// Checks a condition of the test; a failure names what did not hold.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($message:tt)+) => {
        if !$cond {
            return ::core::result::Result::Err($crate::TestError::check(format!($($message)+)));
        }
    };
}

/// What libtest sees: a skip is a pass for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Skip,
    Fail,
}

impl Termination for Verdict {
    fn report(self) -> ExitCode {
        match self {
            Verdict::Pass | Verdict::Skip => ExitCode::SUCCESS,
            Verdict::Fail => ExitCode::FAILURE,
        }
    }
}

/// The verdicts a record holds, as our reports read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Recorded {
    Pass,
    Skip,
    Fail,
    /// A wait's deadline passed, or nextest's timeout (SIGTERM) came.
    Timeout,
    /// A known failure failed as expected (see `known_failures`).
    Xfail,
    /// A known failure passed: its row can go.
    Xpass,
}

impl Recorded {
    pub const ALL: [Recorded; 6] = [
        Recorded::Pass,
        Recorded::Skip,
        Recorded::Fail,
        Recorded::Timeout,
        Recorded::Xfail,
        Recorded::Xpass,
    ];

    /// The string a record's `verdict` holds.
    pub fn as_str(self) -> &'static str {
        match self {
            Recorded::Pass => "pass",
            Recorded::Skip => "skip",
            Recorded::Fail => "fail",
            Recorded::Timeout => "timeout",
            Recorded::Xfail => "xfail",
            Recorded::Xpass => "xpass",
        }
    }

    /// A record's `verdict` string; an unknown one is a failure, so that a
    /// report never passes what it does not understand.
    pub fn parse(verdict: &str) -> Recorded {
        Recorded::ALL
            .into_iter()
            .find(|known| known.as_str() == verdict)
            .unwrap_or(Recorded::Fail)
    }

    /// Whether a run with this verdict failed: an expected failure did not,
    /// an unexpected pass did.
    pub fn is_failure(self) -> bool {
        matches!(self, Recorded::Fail | Recorded::Timeout | Recorded::Xpass)
    }
}

/// One test's verdict as our reports read it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Record {
    pub krate: String,
    pub arch: String,
    pub test: String,
    pub attempt: u32,
    /// `pass`, `skip`, `fail`, `timeout`, `xfail` or `xpass`
    /// (`Recorded::as_str`).
    pub verdict: String,
    /// The skip reason or the failure's kind and message.
    pub message: String,
    pub log_dir: PathBuf,
    pub seconds: f64,
}

impl Record {
    /// The verdict, parsed.
    pub fn recorded(&self) -> Recorded {
        Recorded::parse(&self.verdict)
    }
}

/// Runs a test body and reports its verdict; `#[qemu_test]` calls this.
///
/// The verdict is printed and recorded before the machines the body held
/// are shut down and the scratch is removed: a slow or hung teardown cannot
/// hide it. A QEMU that fails its shutdown then turns a pass into a failure,
/// and the record is rewritten.
pub fn conclude(body: impl FnOnce() -> TestResult) -> Verdict {
    watchdog::install(record_stopped);
    let started = Instant::now();
    let env = TestEnv::current();
    let watch = watchdog::watch(env.clone());
    let outcome = panic::catch_unwind(AssertUnwindSafe(body));
    // The next test on this thread starts afresh.
    TestEnv::take_current();
    let (verdict, recorded, message) = match &outcome {
        Ok(Ok(())) => (Verdict::Pass, Recorded::Pass, String::new()),
        Ok(Err(TestError::Skip(skip))) => (Verdict::Skip, Recorded::Skip, skip.reason().to_owned()),
        Ok(Err(err)) if err.is_timeout() => {
            (Verdict::Fail, Recorded::Timeout, failure_message(err))
        }
        Ok(Err(err)) => (Verdict::Fail, Recorded::Fail, failure_message(err)),
        Err(payload) => (
            Verdict::Fail,
            Recorded::Fail,
            format!("panicked: {}", panic_message(payload)),
        ),
    };
    // A known QEMU bug fails as expected, or passes and says its row can go.
    let (mut verdict, recorded, message) =
        match known_failures::judge_test(&env, failure_kind(&outcome, recorded)) {
            Some(Judgement::ExpectedFailure {
                url, intermittent, ..
            }) if recorded.is_failure() => (
                Verdict::Skip,
                Recorded::Xfail,
                known_failure_message(url, intermittent, &message),
            ),
            Some(Judgement::UnexpectedPass { url }) if recorded == Recorded::Pass => (
                Verdict::Fail,
                Recorded::Xpass,
                format!("known failure {url} passed: remove its row from known_failures.rs"),
            ),
            _ => (verdict, recorded, message),
        };
    let mut record = Record {
        krate: env.id().krate.clone(),
        arch: env.id().arch.clone(),
        test: env.id().name(),
        attempt: env.id().attempt,
        verdict: recorded.as_str().to_owned(),
        message,
        log_dir: env.log_dir().to_path_buf(),
        seconds: started.elapsed().as_secs_f64(),
    };
    // The watchdog may have recorded this test already, on a signal.
    let ours = watch.in_flight().claim();
    if ours {
        publish(&env, &record);
    }
    let failures = tear_down(&env);
    // An expected failure's teardown fails too (the destination of a
    // crashed migration exits 1): that is the known failure, not another.
    if ours
        && !failures.is_empty()
        && !record.recorded().is_failure()
        && record.recorded() != Recorded::Xfail
    {
        let message = format!("QEMU failed at teardown: {}", failures.join("; "));
        // A known crash at `quit` fails as expected.
        (verdict, record.verdict, record.message) = match known_failures::judge_teardown(&env) {
            Some(Judgement::ExpectedFailure {
                url, intermittent, ..
            }) => (
                Verdict::Skip,
                Recorded::Xfail.as_str().to_owned(),
                known_failure_message(url, intermittent, &message),
            ),
            _ => (Verdict::Fail, Recorded::Fail.as_str().to_owned(), message),
        };
        publish(&env, &record);
    }
    remove_scratch(&env, verdict);
    drop(watch);
    if let Err(payload) = outcome {
        panic::resume_unwind(payload);
    }
    verdict
}

/// How a test that did not pass failed, for the known-failures table:
/// by the error's kind, never its text.
fn failure_kind(
    outcome: &std::thread::Result<TestResult>,
    recorded: Recorded,
) -> Option<known_failures::Failure> {
    match outcome {
        _ if !recorded.is_failure() => None,
        Ok(Err(TestError::Check(_))) => Some(known_failures::Failure::Check),
        _ => Some(known_failures::Failure::Other),
    }
}

/// How an intermittent known failure's record begins: its xfail is a race
/// lost, which another run of the same test may win.
pub const INTERMITTENT_KNOWN_FAILURE: &str = "known failure (intermittent): ";

fn known_failure_message(url: &str, intermittent: bool, message: &str) -> String {
    if intermittent {
        format!("{INTERMITTENT_KNOWN_FAILURE}{url}: {message}")
    } else {
        format!("known failure: {url}: {message}")
    }
}

/// Called by `#[qemu_test]` when the body returned, before the machines it
/// took as arguments are dropped: their shutdown waits for the verdict.
pub fn body_ended() {
    TestEnv::current().defer_teardowns();
}

/// Where the records of one run go: `<root>/results/<run id>`. The run is
/// nextest's (`NEXTEST_RUN_ID`), or `QEMU_TEST_RUN_ID` when our tools run
/// the test binary themselves.
pub fn run_dir() -> PathBuf {
    let run = std::env::var("QEMU_TEST_RUN_ID")
        .ok()
        .or_else(|| std::env::var("NEXTEST_RUN_ID").ok())
        .filter(|run| !run.is_empty() && !run.contains('/'))
        .unwrap_or_else(|| "adhoc".to_owned());
    results_root().join(run)
}

/// The directory that holds one directory per run.
pub fn results_root() -> PathBuf {
    testenv::functional_root().join("results")
}

/// Reads every record of one run directory, sorted by test name.
pub fn read_records(run_dir: &Path) -> std::io::Result<Vec<Record>> {
    let mut records = Vec::new();
    for entry in std::fs::read_dir(run_dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "json") {
            let text = std::fs::read_to_string(&path)?;
            if let Ok(record) = serde_json::from_str::<Record>(&text) {
                records.push(record);
            }
        }
    }
    records.sort_by(|a, b| (&a.krate, &a.test, a.attempt).cmp(&(&b.krate, &b.test, b.attempt)));
    Ok(records)
}

/// Logs, records and prints a verdict; a second call for the same test
/// (teardown turned it into a failure) overwrites the record.
fn publish(env: &TestEnv, record: &Record) {
    let recorded = record.recorded();
    match recorded {
        Recorded::Pass => env.log("verdict: pass"),
        _ if recorded.is_failure() => env.log(format_args!(
            "verdict: {}: {}",
            recorded.as_str().to_uppercase(),
            record.message
        )),
        _ => env.log(format_args!(
            "verdict: {}: {}",
            recorded.as_str(),
            record.message
        )),
    }
    write_record(record);
    // Written past libtest's output capture, so `cargo test` shows it too.
    let mut stderr = std::io::stderr().lock();
    if recorded == Recorded::Skip {
        let _ = writeln!(stderr, "SKIP: {}", record.message);
    } else if recorded == Recorded::Xfail {
        // nextest shows a pass: say which bug it was, and where its logs are.
        let _ = writeln!(stderr, "XFAIL: {}", record.message);
        let _ = writeln!(stderr, "logs: {}", record.log_dir.display());
    } else if recorded.is_failure() {
        let _ = writeln!(stderr, "FAIL: {}", record.message);
        let _ = writeln!(stderr, "logs: {}", record.log_dir.display());
    }
}

/// Runs the machine shutdowns held back until the verdict; what failed.
fn tear_down(env: &TestEnv) -> Vec<String> {
    // A shutdown that could not reap QEMU holds a kill for a second round.
    for _ in 0..3 {
        let teardowns = env.take_teardowns();
        if teardowns.is_empty() {
            break;
        }
        for teardown in teardowns {
            teardown();
        }
    }
    env.take_teardown_failures()
}

fn remove_scratch(env: &TestEnv, verdict: Verdict) {
    let keep = std::env::var_os("QEMU_TEST_KEEP_SCRATCH").is_some_and(|v| !v.is_empty());
    let scratch = env.scratch_dir();
    if verdict == Verdict::Fail {
        if scratch.exists() {
            env.log(format_args!(
                "scratch kept for the failure: {}",
                scratch.display()
            ));
        }
    } else if keep {
        env.log("scratch kept: QEMU_TEST_KEEP_SCRATCH is set");
    } else if let Err(err) = std::fs::remove_dir_all(&scratch)
        && err.kind() != std::io::ErrorKind::NotFound
    {
        env.log(format_args!(
            "cannot remove scratch {}: {err}",
            scratch.display()
        ));
    }
}

/// What the watchdog records for a test that did not conclude in time
/// after a signal or its deadline: a timeout, with the console's last lines.
fn record_stopped(in_flight: &InFlight, stop: Stop) {
    let env = &in_flight.env;
    let tail = crate::vm::console::tail_of(&env.log_dir().join("console.log"));
    let mut message = format!(
        "timeout: {stop}; the test had run {:.1}s and did not end within {}s of it",
        in_flight.started.elapsed().as_secs_f64(),
        watchdog::GRACE.as_secs()
    );
    if !tail.trim().is_empty() {
        message.push_str("\nlast console lines:");
        for line in tail.lines() {
            message.push_str("\n  | ");
            message.push_str(line.trim_end_matches('\r'));
        }
    }
    let record = Record {
        krate: env.id().krate.clone(),
        arch: env.id().arch.clone(),
        test: env.id().name(),
        attempt: env.id().attempt,
        verdict: Recorded::Timeout.as_str().to_owned(),
        message,
        log_dir: env.log_dir().to_path_buf(),
        seconds: in_flight.started.elapsed().as_secs_f64(),
    };
    publish(env, &record);
}

fn write_record(record: &Record) {
    let dir = run_dir();
    let name = format!(
        "{}.{}.{}.json",
        record.krate,
        record.test.replace("::", "."),
        record.attempt
    );
    let write = std::fs::create_dir_all(&dir).and_then(|()| {
        let json = serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?;
        // Renamed into place so a reader never sees half a record.
        let tmp = dir.join(format!(".{name}.{}", std::process::id()));
        std::fs::write(&tmp, json)?;
        std::fs::rename(&tmp, dir.join(&name))
    });
    if let Err(err) = write {
        let _ = writeln!(
            std::io::stderr(),
            "warning: cannot record the verdict in {}: {err}",
            dir.display()
        );
    }
}

/// `<kind>: <message>`, without saying the kind twice when the message
/// starts with it already.
fn failure_message(err: &TestError) -> String {
    let message = err.to_string();
    if message.starts_with(err.kind()) {
        message
    } else {
        format!("{}: {message}", err.kind())
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a non-text panic payload".to_owned()
    }
}
