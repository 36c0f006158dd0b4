//! The serial console of one QEMU: every byte goes to `console.log`; waits
//! for patterns end early when QEMU exits, and fail at the first standing
//! failure pattern the guest prints.
//!
//! `console.log` is also the buffer waits read from: a reader thread appends
//! what QEMU sends, and a wait scans the file from where the previous wait
//! stopped. Matching is incremental: each byte is scanned once per wait,
//! plus a carry of the longest pattern's length, so a guest printing
//! hundreds of megabytes costs the same per byte as one printing a line.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::FileExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::interrupt::{self, Stop};
use super::logs::Logs;
use super::process::{Exit, Process};

/// How many console lines a failure message quotes.
const TAIL_LINES: usize = 12;
/// How much output before a match `Match::output` keeps.
const OUTPUT_KEEP: usize = 1 << 20;
/// How often a wait looks at the clock and QEMU's state when nothing arrives.
const TICK: Duration = Duration::from_millis(50);
/// How often `interrupt_interactive_console_until_pattern` sends its key.
const INTERRUPT_EVERY: Duration = Duration::from_millis(100);

/// Which clock a wait's timeout is charged against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// CPU time QEMU consumed during the wait (user + system, from /proc),
    /// so that a loaded host does not turn a slow boot into a failure. The
    /// wait still never ends before `budget` of wall time has passed.
    QemuCpu,
    /// Plain wall-clock time.
    Wall,
}

/// How long a console wait may take.
///
/// A wait fails when `budget` has passed on its clock (and at least
/// `budget` of wall time), or when `ceiling` of wall time has passed
/// whatever the clock says: an idle guest uses no CPU, and must still fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitTimeout {
    pub budget: Duration,
    pub ceiling: Duration,
    pub clock: Clock,
}

impl WaitTimeout {
    /// The default budget, in seconds, and how many budgets make the
    /// ceiling.
    pub const DEFAULT_SECONDS: u64 = 90;
    pub const CEILING_FACTOR: u32 = 3;

    /// `QEMU_TEST_WAIT_TIMEOUT` seconds (default 90) charged against
    /// `QEMU_TEST_WAIT_CLOCK` (`cpu`, the default, or `wall`), with a wall
    /// ceiling of three budgets.
    pub fn from_env() -> WaitTimeout {
        let seconds = std::env::var("QEMU_TEST_WAIT_TIMEOUT")
            .ok()
            .and_then(|value| value.parse::<f64>().ok())
            .filter(|seconds| *seconds > 0.0)
            .unwrap_or(Self::DEFAULT_SECONDS as f64);
        let budget = Duration::from_secs_f64(seconds);
        match std::env::var("QEMU_TEST_WAIT_CLOCK").as_deref() {
            Ok("wall") => WaitTimeout::wall(budget),
            _ => WaitTimeout::cpu(budget, budget * Self::CEILING_FACTOR),
        }
    }

    pub fn wall(budget: Duration) -> WaitTimeout {
        WaitTimeout {
            budget,
            ceiling: budget,
            clock: Clock::Wall,
        }
    }

    pub fn cpu(budget: Duration, ceiling: Duration) -> WaitTimeout {
        WaitTimeout {
            budget,
            ceiling: ceiling.max(budget),
            clock: Clock::QemuCpu,
        }
    }

    fn expired(&self, wall: Duration, cpu: Option<Duration>) -> bool {
        if wall >= self.ceiling {
            return true;
        }
        if wall < self.budget {
            return false;
        }
        match self.clock {
            Clock::Wall => true,
            // Without /proc (QEMU gone) only the ceiling applies.
            Clock::QemuCpu => cpu.is_some_and(|cpu| cpu >= self.budget),
        }
    }
}

impl fmt::Display for WaitTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.clock {
            Clock::Wall => write!(f, "{:.0}s wall clock", self.budget.as_secs_f64()),
            Clock::QemuCpu => write!(
                f,
                "{:.0}s of QEMU CPU time, at most {:.0}s wall clock",
                self.budget.as_secs_f64(),
                self.ceiling.as_secs_f64()
            ),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("QEMU {exit} while waiting for {pattern:?}{context}")]
    QemuExited {
        pattern: String,
        exit: ExitText,
        context: Box<Context>,
    },
    #[error("the guest printed failure pattern {failure:?} while waiting for {pattern:?}{context}")]
    FailurePattern {
        failure: String,
        pattern: String,
        context: Box<Context>,
    },
    #[error(
        "timed out after {:.1}s waiting for {pattern:?} (QEMU used {:.1}s of CPU; limit {limit}){context}",
        waited.as_secs_f64(), cpu.as_secs_f64()
    )]
    Timeout {
        pattern: String,
        waited: Duration,
        cpu: Duration,
        limit: WaitTimeout,
        context: Box<Context>,
    },
    /// nextest's timeout (SIGTERM), Ctrl-C or the test's deadline ended the
    /// wait: what it waited for and where the logs are, before the kill.
    /// QEMU's CPU time tells a hang (little) from a slow host (much).
    #[error(
        "{stop} after {:.1}s waiting for {pattern:?} (QEMU used {:.1}s of CPU){context}\nlogs: {}",
        waited.as_secs_f64(), cpu.as_secs_f64(), log_dir.display()
    )]
    Interrupted {
        stop: Stop,
        pattern: String,
        waited: Duration,
        cpu: Duration,
        log_dir: PathBuf,
        context: Box<Context>,
    },
    #[error("cannot send {text:?} to the console: QEMU {exit}")]
    Send { text: String, exit: ExitText },
    #[error("invalid regex {pattern:?}: {source}")]
    Regex {
        pattern: String,
        #[source]
        source: regex::Error,
    },
    #[error("cannot read `{}`: {source}", path.display())]
    Log {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl ConsoleError {
    /// The kind of failure, as a failure report names it.
    pub fn kind(&self) -> &'static str {
        match self {
            ConsoleError::QemuExited { .. } | ConsoleError::Send { .. } => "QEMU died",
            ConsoleError::FailurePattern { .. } => "guest failure pattern",
            ConsoleError::Timeout { .. } => "pattern never came",
            ConsoleError::Interrupted { .. } => "timeout",
            ConsoleError::Log { .. } => "I/O error",
            ConsoleError::Regex { .. } => "invalid pattern",
        }
    }
}

/// How QEMU ended, or that it had not yet when we looked.
#[derive(Debug, Clone)]
pub struct ExitText(pub Option<Exit>);

impl fmt::Display for ExitText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(exit) => write!(f, "{exit}"),
            None => write!(f, "closed its console"),
        }
    }
}

/// The last console lines and QEMU's output, quoted by a failure.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub console: String,
    pub stderr: String,
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        quote_block(f, "last console lines", &self.console)?;
        quote_block(f, "QEMU stderr", &self.stderr)
    }
}

fn quote_block(f: &mut fmt::Formatter<'_>, title: &str, text: &str) -> fmt::Result {
    let lines: Vec<&str> = text.lines().collect();
    if lines.iter().all(|line| line.trim().is_empty()) {
        return Ok(());
    }
    write!(f, "\n{title}:")?;
    for line in &lines[lines.len().saturating_sub(TAIL_LINES)..] {
        write!(f, "\n  | {}", line.trim_end_matches('\r'))?;
    }
    Ok(())
}

/// What a successful wait found.
#[derive(Debug, Clone)]
pub struct Match {
    /// The pattern that matched.
    pub pattern: String,
    /// The console output from the start of the wait up to and including
    /// the match (the last MiB of it).
    pub output: Vec<u8>,
}

impl Match {
    /// The output as text, invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.output).into_owned()
    }
}

/// The console of one QEMU.
pub struct Console {
    shared: Arc<Shared>,
    writer: UnixStream,
    log: File,
    log_path: PathBuf,
    /// How far waits have consumed `console.log`.
    position: u64,
    failure_patterns: Vec<String>,
    timeout: WaitTimeout,
    process: Arc<Process>,
    logs: Logs,
    prefix: String,
    reader: Option<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<State>,
    grew: Condvar,
}

struct State {
    length: u64,
    closed: bool,
}

impl Console {
    /// Starts copying `stream` (our end of QEMU's console chardev) into
    /// `log_path`.
    pub(crate) fn start(
        stream: UnixStream,
        log_path: &Path,
        process: Arc<Process>,
        logs: Logs,
        prefix: &str,
    ) -> io::Result<Console> {
        let mut sink = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(log_path)?;
        let log = File::open(log_path)?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                length: 0,
                closed: false,
            }),
            grew: Condvar::new(),
        });
        let writer = stream.try_clone()?;
        let reader = {
            let shared = shared.clone();
            let mut stream = stream;
            std::thread::Builder::new()
                .name(format!("console-{}", process.pid()))
                .spawn(move || {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = match stream.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        if sink.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        shared.state.lock().unwrap().length += n as u64;
                        shared.grew.notify_all();
                    }
                    shared.state.lock().unwrap().closed = true;
                    shared.grew.notify_all();
                })?
        };
        Ok(Console {
            shared,
            writer,
            log,
            log_path: log_path.to_path_buf(),
            position: 0,
            failure_patterns: Vec::new(),
            timeout: WaitTimeout::from_env(),
            process,
            logs,
            prefix: prefix.to_owned(),
            reader: Some(reader),
        })
    }

    /// Adds a standing failure pattern: every later wait fails as soon as
    /// the guest prints it (`Kernel panic - not syncing`, U-Boot's
    /// `## Error`).
    pub fn fail_on(&mut self, pattern: &str) -> &mut Console {
        self.failure_patterns.push(pattern.to_owned());
        self
    }

    /// Sets how long the following waits may take.
    pub fn set_timeout(&mut self, timeout: WaitTimeout) -> &mut Console {
        self.timeout = timeout;
        self
    }

    pub fn timeout(&self) -> WaitTimeout {
        self.timeout
    }

    /// Waits for `pattern`.
    pub fn wait_for(&mut self, pattern: &str) -> Result<Match, ConsoleError> {
        self.wait(pattern, None, None)
    }

    /// Waits for `success`; fails if `failure` (or a standing failure
    /// pattern) comes first.
    pub fn wait_for_console_pattern(
        &mut self,
        success: &str,
        failure: Option<&str>,
    ) -> Result<Match, ConsoleError> {
        self.wait(success, failure, None)
    }

    /// Python's `LinuxKernelTest.wait_for_regex_console_pattern`: waits
    /// for a line in which the regex `success` matches; a line in which
    /// `failure` matches (or that holds a standing failure pattern) fails
    /// the wait. As in Python, lines are matched whole, trimmed, and the
    /// wait consumes the matching line. `timeout` replaces the console's
    /// budget for this wait only, charged on the console's clock.
    pub fn wait_for_regex_console_pattern(
        &mut self,
        success: &str,
        failure: Option<&str>,
        timeout: Option<Duration>,
    ) -> Result<Match, ConsoleError> {
        let mut patterns: Vec<(&str, bool)> = vec![(success, true)];
        patterns.extend(failure.map(|failure| (failure, false)));
        let standing: Vec<String> = self
            .failure_patterns
            .iter()
            .map(|literal| regex::escape(literal))
            .collect();
        patterns.extend(standing.iter().map(|failure| (failure.as_str(), false)));
        let mut search = LineRegex::new(&patterns)?;
        let limit = match (timeout, self.timeout.clock) {
            (None, _) => self.timeout,
            (Some(budget), Clock::Wall) => WaitTimeout::wall(budget),
            (Some(budget), Clock::QemuCpu) => {
                WaitTimeout::cpu(budget, budget * WaitTimeout::CEILING_FACTOR)
            }
        };
        self.wait_with(&mut search, &patterns, success, failure, limit, None)
    }

    /// Sends `text` as it is.
    pub fn send(&mut self, text: &str) -> Result<(), ConsoleError> {
        self.logs
            .log(format_args!("{}console: send {text:?}", self.prefix));
        self.writer.write_all(text.as_bytes()).map_err(|_| {
            let exit = self.process.wait_timeout(Duration::from_secs(1));
            ConsoleError::Send {
                text: text.to_owned(),
                exit: ExitText(exit),
            }
        })
    }

    /// Types `command` and Enter, and returns: as Python's `exec_command`,
    /// it waits for nothing. Waiting for the echo would hang on a guest
    /// that does not echo, or on a long line that busybox's line editor
    /// echoes with cursor sequences inside it. A later wait may match the
    /// echoed command itself, as in Python.
    pub fn exec_command(&mut self, command: &str) -> Result<(), ConsoleError> {
        self.send(&format!("{command}\r"))
    }

    /// Runs `command` and waits for `success` in its output; `failure`
    /// fails the wait. The match's output is what the command printed.
    pub fn exec_command_and_wait_for_pattern(
        &mut self,
        command: &str,
        success: &str,
        failure: Option<&str>,
    ) -> Result<Match, ConsoleError> {
        self.exec_command(command)?;
        self.wait(success, failure, None)
    }

    /// Runs `command; <marker_command>` and returns what `command` printed:
    /// the text between the echoed line and `marker_output`, which
    /// `marker_command` prints but does not echo (it expands a variable or
    /// does arithmetic), so the echo never ends the wait.
    pub fn run_marked(
        &mut self,
        command: &str,
        marker_command: &str,
        marker_output: &str,
    ) -> Result<String, ConsoleError> {
        let line = format!("{command}; {marker_command}");
        self.send(&format!("{line}\r"))?;
        let found = self.wait_for(marker_output)?;
        let text = found.text();
        let after_echo = text
            .rfind(&line)
            .and_then(|at| {
                text[at..]
                    .find('\n')
                    .map(|newline| &text[at + newline + 1..])
            })
            .unwrap_or(&text);
        Ok(after_echo
            .trim_end_matches(marker_output)
            .trim()
            .replace('\r', ""))
    }

    /// Keeps sending `interrupt` (Enter when `None`) until `success`
    /// appears: how a test stops an autoboot countdown.
    pub fn interrupt_interactive_console_until_pattern(
        &mut self,
        success: &str,
        failure: Option<&str>,
        interrupt: Option<&str>,
    ) -> Result<Match, ConsoleError> {
        self.wait(success, failure, Some(interrupt.unwrap_or("\r")))
    }

    /// The last lines of `console.log`.
    pub fn tail(&self) -> String {
        tail_of(&self.log_path)
    }

    /// Waits until the reader has copied everything QEMU sent (QEMU closed
    /// the console), for at most `timeout`.
    pub(crate) fn wait_closed(&mut self, timeout: Duration) {
        let state = self.shared.state.lock().unwrap();
        let (state, _) = self
            .shared
            .grew
            .wait_timeout_while(state, timeout, |state| !state.closed)
            .unwrap();
        let closed = state.closed;
        drop(state);
        if closed && let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }

    fn wait(
        &mut self,
        success: &str,
        failure: Option<&str>,
        interrupt: Option<&str>,
    ) -> Result<Match, ConsoleError> {
        let mut patterns: Vec<(&str, bool)> = vec![(success, true)];
        patterns.extend(failure.map(|failure| (failure, false)));
        let standing = self.failure_patterns.clone();
        patterns.extend(standing.iter().map(|failure| (failure.as_str(), false)));
        let mut scanner = Scanner::new(&patterns);
        self.wait_with(
            &mut scanner,
            &patterns,
            success,
            failure,
            self.timeout,
            interrupt,
        )
    }

    /// The loop of every wait: feeds what arrives to `search`, whose
    /// indices point into `patterns` (text, is it success), until a match,
    /// QEMU's exit, a stop or `limit`.
    fn wait_with(
        &mut self,
        search: &mut dyn Search,
        patterns: &[(&str, bool)],
        success: &str,
        failure: Option<&str>,
        limit: WaitTimeout,
        interrupt: Option<&str>,
    ) -> Result<Match, ConsoleError> {
        let started = Instant::now();
        let cpu_at_start = self.process.cpu_time().unwrap_or_default();
        let mut cpu_used = Duration::ZERO;
        let mut last_interrupt: Option<Instant> = None;
        let mut closed_seen_at: Option<Instant> = None;
        let mut chunk = vec![0u8; 64 * 1024];
        self.logs.log(format_args!(
            "{}console: waiting for {success:?}{}",
            self.prefix,
            failure
                .map(|f| format!(" (failure {f:?})"))
                .unwrap_or_default()
        ));
        loop {
            let (length, closed) = {
                let state = self.shared.state.lock().unwrap();
                (state.length, state.closed)
            };
            let found = scan_range(&self.log, &mut self.position, length, search, &mut chunk)
                .map_err(|source| ConsoleError::Log {
                    path: self.log_path.clone(),
                    source,
                })?;
            if let Some(index) = found {
                let (pattern, is_success) = patterns[index];
                return self.conclude_match(search, pattern, is_success, success, started);
            }
            // Before QEMU's exit: nextest's SIGTERM reaches QEMU too, and
            // the stop is the cause, not QEMU's death.
            if let Some(stop) = interrupt::check() {
                return Err(self.interrupted(stop, success, started, (cpu_at_start, cpu_used)));
            }
            // Everything QEMU sent is scanned: did it exit?
            let exit = self.process.exit();
            if closed || exit.is_some() {
                let since = *closed_seen_at.get_or_insert_with(Instant::now);
                // Let the reader copy the last bytes before concluding.
                if closed || since.elapsed() > Duration::from_secs(1) {
                    let exit = exit.or_else(|| self.process.wait_timeout(Duration::from_secs(5)));
                    self.process.wait_output(Duration::from_secs(2));
                    if let Some(signal) = interrupt::signal_behind_exit() {
                        return Err(self.interrupted(
                            Stop::Signal(signal),
                            success,
                            started,
                            (cpu_at_start, cpu_used),
                        ));
                    }
                    self.logs.log(format_args!(
                        "{}console: QEMU {} while waiting for {success:?}",
                        self.prefix,
                        ExitText(exit)
                    ));
                    return Err(ConsoleError::QemuExited {
                        pattern: success.to_owned(),
                        exit: ExitText(exit),
                        context: self.context(),
                    });
                }
            }
            let waited = started.elapsed();
            if let Some(cpu) = self.process.cpu_time() {
                cpu_used = cpu.saturating_sub(cpu_at_start);
            }
            let cpu_known = self.process.exit().is_none().then_some(cpu_used);
            if limit.expired(waited, cpu_known) {
                self.logs.log(format_args!(
                    "{}console: timed out after {:.1}s (QEMU CPU {:.1}s) waiting for {success:?}",
                    self.prefix,
                    waited.as_secs_f64(),
                    cpu_used.as_secs_f64()
                ));
                return Err(ConsoleError::Timeout {
                    pattern: success.to_owned(),
                    waited,
                    cpu: cpu_used,
                    limit,
                    context: self.context(),
                });
            }
            if let Some(key) = interrupt
                && last_interrupt.is_none_or(|at| at.elapsed() >= INTERRUPT_EVERY)
            {
                last_interrupt = Some(Instant::now());
                // QEMU gone shows up as an exit above, on the next round.
                let _ = self.writer.write_all(key.as_bytes());
            }
            let state = self.shared.state.lock().unwrap();
            if state.length == length && !state.closed {
                let _ = self.shared.grew.wait_timeout(state, TICK).unwrap();
            }
        }
    }

    fn interrupted(
        &self,
        stop: Stop,
        success: &str,
        started: Instant,
        (cpu_at_start, cpu_seen): (Duration, Duration),
    ) -> ConsoleError {
        // A QEMU that is gone has no CPU time left to read: the last seen.
        let cpu = self
            .process
            .cpu_time()
            .map_or(cpu_seen, |cpu| cpu.saturating_sub(cpu_at_start));
        self.logs.log(format_args!(
            "{}console: {stop} after {:.1}s (QEMU CPU {:.1}s) waiting for {success:?}",
            self.prefix,
            started.elapsed().as_secs_f64(),
            cpu.as_secs_f64()
        ));
        ConsoleError::Interrupted {
            stop,
            pattern: success.to_owned(),
            waited: started.elapsed(),
            cpu,
            log_dir: self.logs.dir().to_path_buf(),
            context: self.context(),
        }
    }

    fn conclude_match(
        &self,
        scanner: &dyn Search,
        pattern: &str,
        is_success: bool,
        success: &str,
        started: Instant,
    ) -> Result<Match, ConsoleError> {
        let seconds = started.elapsed().as_secs_f64();
        if is_success {
            self.logs.log(format_args!(
                "{}console: matched {pattern:?} after {seconds:.2}s",
                self.prefix
            ));
            Ok(Match {
                pattern: pattern.to_owned(),
                output: scanner.output(),
            })
        } else {
            self.logs.log(format_args!(
                "{}console: failure pattern {pattern:?} after {seconds:.2}s while waiting for {success:?}",
                self.prefix
            ));
            Err(ConsoleError::FailurePattern {
                failure: pattern.to_owned(),
                pattern: success.to_owned(),
                context: self.context(),
            })
        }
    }

    fn context(&self) -> Box<Context> {
        Box::new(Context {
            console: self.tail(),
            stderr: self.process.output_tail(),
        })
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        // The reader ends when QEMU closes the socket; shutting our end
        // down makes sure it does not wait for a QEMU that lingers.
        let _ = self.writer.shutdown(std::net::Shutdown::Both);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// Scans `file` from `position` up to `end`, as far as the first match,
/// and moves `position` past what was scanned. Returns the index of the
/// pattern that matched.
fn scan_range(
    file: &File,
    position: &mut u64,
    end: u64,
    scanner: &mut dyn Search,
    chunk: &mut [u8],
) -> io::Result<Option<usize>> {
    while *position < end {
        let want = ((end - *position) as usize).min(chunk.len());
        let n = file.read_at(&mut chunk[..want], *position)?;
        if n == 0 {
            break;
        }
        match scanner.feed(&chunk[..n]) {
            Some((index, consumed)) => {
                *position += consumed as u64;
                return Ok(Some(index));
            }
            None => *position += n as u64,
        }
    }
    Ok(None)
}

/// Scans a whole file as a console wait scans `console.log`, reading
/// `chunk` bytes at a time: which pattern matched first, and the offset
/// just past it. For benchmarks and tools that search logs.
pub fn scan_file(path: &Path, patterns: &[&str], chunk: usize) -> io::Result<Option<(usize, u64)>> {
    let file = File::open(path)?;
    let end = file.metadata()?.len();
    let patterns: Vec<(&str, bool)> = patterns.iter().map(|pattern| (*pattern, true)).collect();
    let mut scanner = Scanner::new(&patterns);
    let mut buf = vec![0u8; chunk.max(1)];
    let mut position = 0;
    Ok(
        scan_range(&file, &mut position, end, &mut scanner, &mut buf)?
            .map(|index| (index, position)),
    )
}

/// What a wait feeds the console's bytes to, chunk by chunk.
trait Search {
    /// Scans the next chunk. On a match, returns the pattern's index and
    /// how many bytes of the chunk it consumed.
    fn feed(&mut self, chunk: &[u8]) -> Option<(usize, usize)>;
    /// The output from the start of the wait up to the match (its last
    /// MiB).
    fn output(&self) -> Vec<u8>;
}

impl Search for Scanner {
    fn feed(&mut self, chunk: &[u8]) -> Option<(usize, usize)> {
        Scanner::feed(self, chunk)
    }

    fn output(&self) -> Vec<u8> {
        Scanner::output(self)
    }
}

/// Regexes matched against each whole line, as Python's
/// `wait_for_regex_console_pattern` reads the console line by line.
struct LineRegex {
    patterns: Vec<regex::Regex>,
    /// The line so far: a line is matched once its newline arrives.
    line: Vec<u8>,
    output: Vec<u8>,
}

impl LineRegex {
    fn new(patterns: &[(&str, bool)]) -> Result<LineRegex, ConsoleError> {
        let patterns = patterns
            .iter()
            .map(|(pattern, _)| {
                regex::Regex::new(pattern).map_err(|source| ConsoleError::Regex {
                    pattern: (*pattern).to_owned(),
                    source,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(LineRegex {
            patterns,
            line: Vec::new(),
            output: Vec::new(),
        })
    }
}

impl Search for LineRegex {
    /// On a line's newline, the first pattern (in the order given) that
    /// matches it wins, as Python checks success before failure.
    fn feed(&mut self, chunk: &[u8]) -> Option<(usize, usize)> {
        for (at, &byte) in chunk.iter().enumerate() {
            if byte != b'\n' {
                self.line.push(byte);
                continue;
            }
            let line = std::mem::take(&mut self.line);
            let text = String::from_utf8_lossy(&line);
            let text = text.trim();
            if let Some(index) = self.patterns.iter().position(|re| re.is_match(text)) {
                keep_bounded(&mut self.output, &chunk[..=at]);
                return Some((index, at + 1));
            }
        }
        keep_bounded(&mut self.output, chunk);
        None
    }

    fn output(&self) -> Vec<u8> {
        let start = self.output.len().saturating_sub(OUTPUT_KEEP);
        self.output[start..].to_vec()
    }
}

/// Appends `bytes` to a wait's `output`, dropping all but its last
/// [`OUTPUT_KEEP`] bytes once it holds twice that.
fn keep_bounded(output: &mut Vec<u8>, bytes: &[u8]) {
    output.extend_from_slice(bytes);
    if output.len() > 2 * OUTPUT_KEEP {
        let excess = output.len() - OUTPUT_KEEP;
        output.drain(..excess);
    }
}

/// Incremental multi-pattern search over a stream of chunks.
struct Scanner {
    /// (index in the caller's list, bytes, finder); empty patterns dropped.
    patterns: Vec<(usize, Vec<u8>, memchr::memmem::Finder<'static>)>,
    /// The end of what was scanned so far, kept so that a pattern split
    /// across two chunks is found; one byte shorter than the longest
    /// pattern.
    carry: Vec<u8>,
    longest: usize,
    output: Vec<u8>,
}

impl Scanner {
    fn new(patterns: &[(&str, bool)]) -> Scanner {
        let patterns: Vec<_> = patterns
            .iter()
            .enumerate()
            .filter(|(_, (pattern, _))| !pattern.is_empty())
            .map(|(index, (pattern, _))| {
                let bytes = pattern.as_bytes().to_vec();
                let finder = memchr::memmem::Finder::new(&bytes).into_owned();
                (index, bytes, finder)
            })
            .collect();
        let longest = patterns.iter().map(|(_, p, _)| p.len()).max().unwrap_or(1);
        Scanner {
            patterns,
            carry: Vec::new(),
            longest,
            output: Vec::new(),
        }
    }

    /// Scans the next chunk. On a match, returns the pattern's index (in the
    /// order given, empty patterns never match) and how many bytes of the
    /// chunk it consumed; the earliest-ending match wins, the first pattern
    /// on a tie.
    fn feed(&mut self, chunk: &[u8]) -> Option<(usize, usize)> {
        let carry_len = self.carry.len();
        let mut window = std::mem::take(&mut self.carry);
        window.extend_from_slice(chunk);
        let mut best: Option<(usize, usize)> = None;
        for (index, pattern, finder) in &self.patterns {
            let index = *index;
            // Only matches that end in the new chunk are new.
            let from = carry_len.saturating_sub(pattern.len() - 1);
            if let Some(start) = finder.find(&window[from..]) {
                let end = from + start + pattern.len();
                if best.is_none_or(|(_, best_end)| end < best_end) {
                    best = Some((index, end));
                }
            }
        }
        let consumed_end = best.map_or(window.len(), |(_, end)| end);
        self.keep_output(&window[carry_len..consumed_end]);
        let keep_from = consumed_end.saturating_sub(self.longest - 1);
        self.carry = window[keep_from..consumed_end].to_vec();
        best.map(|(index, end)| (index, end - carry_len))
    }

    fn keep_output(&mut self, bytes: &[u8]) {
        keep_bounded(&mut self.output, bytes);
    }

    fn output(&self) -> Vec<u8> {
        let start = self.output.len().saturating_sub(OUTPUT_KEEP);
        self.output[start..].to_vec()
    }
}

/// The last lines of a log file, invalid UTF-8 replaced.
pub fn tail_of(path: &Path) -> String {
    let Ok(file) = File::open(path) else {
        return String::new();
    };
    let length = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    let start = length.saturating_sub(4096);
    let mut buf = vec![0u8; (length - start) as usize];
    let n = file.read_at(&mut buf, start).unwrap_or(0);
    buf.truncate(n);
    let text = String::from_utf8_lossy(&buf);
    let lines: Vec<&str> = text.lines().collect();
    // The first line may be cut by the 4 KiB window.
    let first = usize::from(start > 0 && lines.len() > 1);
    lines[first.max(lines.len().saturating_sub(TAIL_LINES))..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(patterns: &[&str], chunks: &[&[u8]]) -> Option<(usize, usize, usize)> {
        let patterns: Vec<(&str, bool)> = patterns.iter().map(|p| (*p, true)).collect();
        let mut scanner = Scanner::new(&patterns);
        for (i, chunk) in chunks.iter().enumerate() {
            if let Some((index, consumed)) = scanner.feed(chunk) {
                return Some((i, index, consumed));
            }
        }
        None
    }

    #[test]
    fn finds_a_pattern_split_across_chunks() {
        assert_eq!(scan(&["U-Boot"], &[b"xxU-B", b"oot 2023"]), Some((1, 0, 3)));
    }

    #[test]
    fn earliest_end_wins_and_the_first_pattern_on_a_tie() {
        assert_eq!(
            scan(&["panic", "boot"], &[b"boot then panic"]),
            Some((0, 1, 4))
        );
        assert_eq!(scan(&["abc", "bc"], &[b"xabc"]), Some((0, 0, 4)));
    }

    #[test]
    fn a_match_is_not_found_twice() {
        let patterns = [("ab", true)];
        let mut scanner = Scanner::new(&patterns);
        assert_eq!(scanner.feed(b"ab"), Some((0, 2)));
        // The carry holds "b" only: "ab" cannot match again from it.
        assert_eq!(scanner.feed(b"c"), None);
        assert_eq!(scanner.feed(b"ab"), Some((0, 2)));
    }

    #[test]
    fn a_regex_matches_a_whole_line_once_its_newline_arrives() {
        let patterns = [
            ("fadump: Reserved \\d+MB", true),
            ("not (supported|found)", false),
        ];
        let mut search = LineRegex::new(&patterns).unwrap();
        assert_eq!(search.feed(b"boot\r\nfadump: Reserved 1024"), None);
        // The match ends the line and consumes it whole.
        assert_eq!(search.feed(b"MB of memory\r\nnext"), Some((0, 14)));
        assert_eq!(
            search.output(),
            b"boot\r\nfadump: Reserved 1024MB of memory\r\n"
        );
        let mut search = LineRegex::new(&patterns).unwrap();
        assert_eq!(search.feed(b"x\nis not supported here\n"), Some((1, 24)));
    }

    #[test]
    fn success_wins_over_failure_on_one_line() {
        let patterns = [("ok", true), ("fail", false)];
        let mut search = LineRegex::new(&patterns).unwrap();
        assert_eq!(search.feed(b"fail then ok\n"), Some((0, 13)));
    }

    #[test]
    fn an_invalid_regex_names_itself() {
        let err = LineRegex::new(&[("fadump: (", true)]).err().unwrap();
        assert!(
            err.to_string().starts_with("invalid regex \"fadump: (\": "),
            "{err}"
        );
    }

    #[test]
    fn non_utf8_output_is_fine() {
        assert_eq!(
            scan(&["=> "], &[&[0xff, 0xfe, b'=', b'>', b' ']]),
            Some((0, 0, 5))
        );
    }

    #[test]
    fn cpu_clock_extends_the_wait_until_the_ceiling() {
        let limit = WaitTimeout::cpu(Duration::from_secs(10), Duration::from_secs(30));
        let s = Duration::from_secs;
        assert!(
            !limit.expired(s(5), Some(s(20))),
            "never before the budget of wall time"
        );
        assert!(
            !limit.expired(s(15), Some(s(2))),
            "a starved QEMU gets more wall time"
        );
        assert!(limit.expired(s(15), Some(s(10))), "budget used up");
        assert!(
            limit.expired(s(30), Some(s(0))),
            "the ceiling holds for an idle guest"
        );
        assert!(WaitTimeout::wall(s(10)).expired(s(10), Some(s(0))));
    }
}
