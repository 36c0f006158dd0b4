//! A gdb driven over its machine interface (MI2): CLI commands in, their console and log output back, as QEMU's `qemu_test.GDB` (pygdbmi).
//!
//! Each CLI command is sent as `<token>-interpreter-exec console "..."`
//! followed by a marker command: in gdb's default synchronous mode gdb
//! reads no input while the target runs, so the marker's answer proves
//! that the command, `stepi` and `continue` included, has finished, and
//! everything before it is that command's output.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::harness::Skip;

/// Why a gdb command did not complete.
#[derive(Debug, thiserror::Error)]
pub enum GdbError {
    #[error("cannot run `{}`: {source}", program.display())]
    Spawn {
        program: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("gdb did not finish `{command}` within {}s", timeout.as_secs())]
    Timeout { command: String, timeout: Duration },
    #[error("gdb exited during `{command}`")]
    Exited { command: String },
    #[error("cannot send `{command}` to gdb: {source}")]
    Write {
        command: String,
        #[source]
        source: io::Error,
    },
}

/// `$QEMU_TEST_GDB`, else `gdb-multiarch` on `PATH`; neither is a skip
/// naming the Debian package.
pub fn find_gdb() -> Result<PathBuf, Skip> {
    if let Some(gdb) = std::env::var_os("QEMU_TEST_GDB").filter(|gdb| !gdb.is_empty()) {
        return Ok(PathBuf::from(gdb));
    }
    crate::vm::find_command("gdb-multiarch").ok_or_else(|| {
        Skip::new("gdb-multiarch not found: install Debian's gdb-multiarch or set QEMU_TEST_GDB")
    })
}

/// One gdb process; killed on drop.
pub struct Gdb {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    transcript: File,
    next_token: u64,
    timeout: Duration,
}

/// What gdb answered to one CLI command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// The console stream (`~"..."`): what a gdb terminal would show.
    pub console: String,
    /// The log stream (`&"..."`): gdb's messages and debug output.
    pub log: String,
    /// gdb's message when the command failed (`^error,msg="..."`).
    pub error: Option<String>,
}

impl Reply {
    /// The first hexadecimal address (`0x...`) of the console output, as
    /// upstream's `get_addr`.
    pub fn addr(&self) -> Option<u64> {
        let start = self.console.find("0x")? + 2;
        let digits: String = self.console[start..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        u64::from_str_radix(&digits, 16).ok()
    }
}

impl Gdb {
    /// Starts `program -q -nx --interpreter=mi2`, each command and reply
    /// written to `transcript`; every command may take up to `timeout`.
    pub fn start(program: &Path, transcript: &Path, timeout: Duration) -> Result<Gdb, GdbError> {
        let spawn_error = |source| GdbError::Spawn {
            program: program.to_path_buf(),
            source,
        };
        let transcript = File::create(transcript).map_err(spawn_error)?;
        let mut child = Command::new(program)
            .args(["-q", "-nx", "--interpreter=mi2"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(transcript.try_clone().map_err(spawn_error)?)
            .spawn()
            .map_err(spawn_error)?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut gdb = Gdb {
            child,
            stdin,
            lines,
            transcript,
            next_token: 1,
            timeout,
        };
        gdb.read_until("starting gdb", |line| line.starts_with("(gdb)"))?;
        Ok(gdb)
    }

    /// Runs one CLI command and returns its output once it has finished
    /// (for `stepi` or `continue`: once the target stopped again). A
    /// command gdb refuses is a reply with `error` set, as upstream's
    /// `cli`, which ignores it.
    pub fn cli(&mut self, command: &str) -> Result<Reply, GdbError> {
        let token = self.next_token;
        let marker = token + 1;
        self.next_token += 2;
        let request = format!(
            "{token}-interpreter-exec console {}\n{marker}-list-features\n",
            quote(command)
        );
        let _ = writeln!(self.transcript, ">>> {command}");
        self.stdin
            .write_all(request.as_bytes())
            .and_then(|()| self.stdin.flush())
            .map_err(|source| GdbError::Write {
                command: command.to_owned(),
                source,
            })?;
        let mut reply = Reply::default();
        let result = format!("{token}^error");
        let done = format!("{marker}^");
        let lines = self.read_until(command, |line| line.starts_with(&done))?;
        for line in lines {
            if let Some(text) = line.strip_prefix('~') {
                reply.console.push_str(&unquote(text));
            } else if let Some(text) = line.strip_prefix('&') {
                reply.log.push_str(&unquote(text));
            } else if let Some(rest) = line.strip_prefix(&result) {
                let message = rest.strip_prefix(",msg=").unwrap_or(rest);
                reply.error = Some(unquote(message));
            }
        }
        Ok(reply)
    }

    /// Ends gdb (`-gdb-exit`), killing it if it does not go.
    pub fn exit(mut self) {
        let _ = self.stdin.write_all(b"-gdb-exit\n");
        let _ = self.stdin.flush();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            // gdb's output ends when it exits: wait on it, not on a clock.
            if let Err(RecvTimeoutError::Disconnected) =
                self.lines.recv_timeout(Duration::from_millis(100))
            {
                let _ = self.child.wait();
                return;
            }
        }
    }

    /// Reads lines until `last` matches one, returning them all.
    fn read_until(
        &mut self,
        command: &str,
        last: impl Fn(&str) -> bool,
    ) -> Result<Vec<String>, GdbError> {
        let deadline = Instant::now() + self.timeout;
        let mut lines = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let _ = writeln!(self.transcript, "{line}");
                    let end = last(&line);
                    lines.push(line);
                    if end {
                        return Ok(lines);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(GdbError::Timeout {
                        command: command.to_owned(),
                        timeout: self.timeout,
                    });
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(GdbError::Exited {
                        command: command.to_owned(),
                    });
                }
            }
        }
    }
}

impl Drop for Gdb {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// A C string as MI reads it.
fn quote(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// The text of an MI C string (`"a\nb"`), escapes resolved; text that is
/// not quoted is returned as it is.
fn unquote(text: &str) -> String {
    let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
        return text.to_owned();
    };
    let mut bytes = Vec::new();
    let mut chars = inner.bytes().peekable();
    while let Some(byte) = chars.next() {
        if byte != b'\\' {
            bytes.push(byte);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'r') => bytes.push(b'\r'),
            Some(digit @ b'0'..=b'7') => {
                let mut value = u32::from(digit - b'0');
                for _ in 0..2 {
                    match chars.peek() {
                        Some(&next @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(next - b'0');
                            chars.next();
                        }
                        _ => break,
                    }
                }
                bytes.push(value as u8);
            }
            Some(other) => bytes.push(other),
            None => bytes.push(b'\\'),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquote_resolves_mi_escapes() {
        assert_eq!(unquote(r#""$1 = 0x7d0\n""#), "$1 = 0x7d0\n");
        assert_eq!(unquote(r#""say \"hi\"\t\\ \101""#), "say \"hi\"\t\\ A");
        assert_eq!(unquote("bare"), "bare");
    }

    #[test]
    fn quote_escapes_what_mi_needs() {
        assert_eq!(quote(r#"echo "a\b""#), r#""echo \"a\\b\"""#);
        assert_eq!(unquote(&quote("print \"x\"\n")), "print \"x\"\n");
    }

    #[test]
    fn addr_is_the_first_hexadecimal_number_of_the_console() {
        let reply = Reply {
            console: "$2 = (void (*)()) 0x7d00896\n".to_owned(),
            ..Reply::default()
        };
        assert_eq!(reply.addr(), Some(0x7d00896));
        assert_eq!(Reply::default().addr(), None);
    }

    #[test]
    fn cli_collects_console_log_and_errors_of_a_real_gdb() {
        // .ci/setup installs gdb-multiarch.
        let program = find_gdb().expect("gdb-multiarch or QEMU_TEST_GDB");
        let dir = std::env::temp_dir().join(format!("gdb-selftest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut gdb = Gdb::start(&program, &dir.join("gdb.log"), Duration::from_secs(30)).unwrap();
        let printed = gdb.cli("print 0x10 + 0x20").unwrap();
        assert_eq!(printed.console, "$1 = 48\n");
        assert_eq!(printed.error, None);
        let refused = gdb.cli("set architecture").unwrap();
        assert!(refused.log.contains("Valid arguments are"), "{refused:?}");
        assert!(refused.error.is_some(), "{refused:?}");
        let echoed = gdb.cli(r#"echo "quoted"\n"#).unwrap();
        assert_eq!(echoed.console, "\"quoted\"\n");
        gdb.exit();
        let transcript = std::fs::read_to_string(dir.join("gdb.log")).unwrap();
        assert!(transcript.contains(">>> print 0x10 + 0x20"), "{transcript}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
