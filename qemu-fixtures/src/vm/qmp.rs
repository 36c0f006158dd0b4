//! QMP over a UNIX socket: the greeting, `qmp_capabilities`, commands with
//! typed errors, and events kept in the order QEMU sent them. Every command,
//! reply and event goes to `base.log`.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::logs::Logs;

/// How long QEMU may take to answer one command; `quit` and migration
/// commands answer at once, and waits for events take their own timeout.
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a QMP wait looks whether the test was signalled.
const INTERRUPT_TICK: Duration = Duration::from_millis(100);

#[derive(Debug, thiserror::Error)]
pub enum QmpError {
    /// QEMU answered the command with an error.
    #[error("QMP command {command} failed: {class}: {desc}")]
    Command {
        command: String,
        class: String,
        desc: String,
    },
    /// The socket closed: QEMU exited.
    #[error("QMP connection closed by QEMU while {doing}")]
    Closed { doing: String },
    #[error("no QMP reply to {command} within {}s", timeout.as_secs())]
    ReplyTimeout { command: String, timeout: Duration },
    #[error("no QMP event {event} within {:.1}s", timeout.as_secs_f64())]
    EventTimeout { event: String, timeout: Duration },
    /// nextest's timeout (SIGTERM) or Ctrl-C came while waiting on QMP.
    #[error("{stop} while {doing}")]
    Interrupted {
        stop: super::interrupt::Stop,
        doing: String,
    },
    #[error("QMP protocol error: {0}")]
    Protocol(String),
    #[error("QMP socket: {0}")]
    Io(#[from] io::Error),
}

/// A QMP event as QEMU sent it.
#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub data: Value,
    pub timestamp: Value,
}

/// One QMP connection.
pub struct Qmp {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    partial: Vec<u8>,
    events: VecDeque<Event>,
    greeting: Value,
    next_id: u64,
    logs: Logs,
    prefix: String,
}

impl Qmp {
    /// Reads the greeting and negotiates capabilities. `prefix` names the
    /// machine in `base.log`.
    pub fn connect(
        stream: UnixStream,
        logs: Logs,
        prefix: &str,
        timeout: Duration,
    ) -> Result<Qmp, QmpError> {
        let writer = stream.try_clone()?;
        let mut qmp = Qmp {
            reader: BufReader::new(stream),
            writer,
            partial: Vec::new(),
            events: VecDeque::new(),
            greeting: Value::Null,
            next_id: 1,
            logs,
            prefix: prefix.to_owned(),
        };
        let greeting = qmp.read_one(Instant::now() + timeout, "waiting for the QMP greeting")?;
        let Some(Incoming::Reply(greeting)) = greeting else {
            return Err(QmpError::ReplyTimeout {
                command: "(greeting)".to_owned(),
                timeout,
            });
        };
        if greeting.get("QMP").is_none() {
            return Err(QmpError::Protocol(format!(
                "expected a greeting, got {greeting}"
            )));
        }
        qmp.greeting = greeting;
        qmp.execute("qmp_capabilities", Value::Null)?;
        Ok(qmp)
    }

    /// The greeting: `{"QMP": {"version": ..., "capabilities": [...]}}`.
    pub fn greeting(&self) -> &Value {
        &self.greeting
    }

    /// Runs a command and returns its `return` value. `arguments` is
    /// `Value::Null` for none, else a JSON object.
    pub fn execute(&mut self, command: &str, arguments: Value) -> Result<Value, QmpError> {
        let id = self.next_id;
        self.next_id += 1;
        let mut request = json!({ "execute": command, "id": id });
        if !arguments.is_null() {
            request["arguments"] = arguments;
        }
        self.log(format_args!(">>> {request}"));
        let mut line =
            serde_json::to_vec(&request).map_err(|err| QmpError::Protocol(err.to_string()))?;
        line.push(b'\n');
        if let Err(err) = self.writer.write_all(&line) {
            return Err(if is_closed(&err) {
                QmpError::Closed {
                    doing: format!("sending {command}"),
                }
            } else {
                QmpError::Io(err)
            });
        }
        let deadline = Instant::now() + REPLY_TIMEOUT;
        let doing = format!("waiting for the reply to {command}");
        let message = loop {
            match self.read_one(deadline, &doing)? {
                Some(Incoming::Reply(message)) => break message,
                Some(Incoming::Event) => continue,
                None => {
                    return Err(QmpError::ReplyTimeout {
                        command: command.to_owned(),
                        timeout: REPLY_TIMEOUT,
                    });
                }
            }
        };
        if message.get("id").and_then(Value::as_u64) != Some(id) {
            return Err(QmpError::Protocol(format!(
                "reply to {command} carries the wrong id: {message}"
            )));
        }
        if let Some(value) = message.get("return") {
            return Ok(value.clone());
        }
        if let Some(error) = message.get("error") {
            return Err(QmpError::Command {
                command: command.to_owned(),
                class: error["class"].as_str().unwrap_or("?").to_owned(),
                desc: error["desc"].as_str().unwrap_or("?").to_owned(),
            });
        }
        Err(QmpError::Protocol(format!(
            "unexpected reply to {command}: {message}"
        )))
    }

    /// `human-monitor-command`: runs an HMP command and returns its output.
    pub fn hmp(&mut self, command_line: &str) -> Result<String, QmpError> {
        let output = self.execute(
            "human-monitor-command",
            json!({ "command-line": command_line }),
        )?;
        Ok(output.as_str().unwrap_or_default().to_owned())
    }

    /// `query-status`: the run state (`running`, `paused`, `inmigrate`, ...).
    pub fn run_state(&mut self) -> Result<String, QmpError> {
        let status = self.execute("query-status", Value::Null)?;
        Ok(status["status"].as_str().unwrap_or_default().to_owned())
    }

    /// The events received so far and not yet taken, oldest first.
    pub fn take_events(&mut self) -> Vec<Event> {
        let _ = self.poll_events();
        self.events.drain(..).collect()
    }

    /// Whether QEMU has sent SHUTDOWN (the event stays queued).
    pub(crate) fn shutdown_announced(&mut self) -> bool {
        let _ = self.poll_events();
        self.events.iter().any(|event| event.name == "SHUTDOWN")
    }

    /// Waits for the next event called `name`; events before it stay queued
    /// in order for later waits.
    pub fn wait_event(&mut self, name: &str, timeout: Duration) -> Result<Event, QmpError> {
        let deadline = Instant::now() + timeout;
        let doing = format!("waiting for event {name}");
        loop {
            if let Some(index) = self.events.iter().position(|event| event.name == name) {
                return Ok(self.events.remove(index).expect("index is in range"));
            }
            match self.read_one(deadline, &doing)? {
                Some(Incoming::Event) => continue,
                Some(Incoming::Reply(message)) => {
                    return Err(QmpError::Protocol(format!(
                        "reply without a command: {message}"
                    )));
                }
                None => {
                    return Err(QmpError::EventTimeout {
                        event: name.to_owned(),
                        timeout,
                    });
                }
            }
        }
    }

    /// Reads the messages already waiting on the socket without blocking.
    fn poll_events(&mut self) -> Result<(), QmpError> {
        while let Some(Incoming::Event) = self.read_one(Instant::now(), "reading events")? {}
        Ok(())
    }

    /// Reads one message; an event is queued. `None` when the deadline
    /// passes first.
    fn read_one(&mut self, deadline: Instant, doing: &str) -> Result<Option<Incoming>, QmpError> {
        // A closed socket after a signal is the signal's doing: QEMU got
        // it too (see `interrupt::signal_behind_exit`).
        let closed = || match super::interrupt::signal_behind_exit() {
            Some(signal) => QmpError::Interrupted {
                stop: super::interrupt::Stop::Signal(signal),
                doing: doing.to_owned(),
            },
            None => QmpError::Closed {
                doing: doing.to_owned(),
            },
        };
        loop {
            // Only a signal cuts a QMP wait short, not the test's deadline:
            // teardown after the deadline still needs `quit` answered.
            if let Some(signal) = super::interrupt::signal() {
                return Err(QmpError::Interrupted {
                    stop: super::interrupt::Stop::Signal(signal),
                    doing: doing.to_owned(),
                });
            }
            let left = deadline.saturating_duration_since(Instant::now());
            // A zero timeout means "block" to the socket: poll for 1 ms; a
            // long one is cut into ticks so a signal is seen at once.
            self.reader
                .get_ref()
                .set_read_timeout(Some(left.clamp(Duration::from_millis(1), INTERRUPT_TICK)))?;
            // A line cut by the timeout stays in `partial` for the next read.
            match self.reader.read_until(b'\n', &mut self.partial) {
                Ok(0) => return Err(closed()),
                Ok(_) if !self.partial.ends_with(b"\n") => return Err(closed()),
                Ok(_) => break,
                Err(err)
                    if matches!(
                        err.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if Instant::now() >= deadline {
                        return Ok(None);
                    }
                }
                Err(err) if is_closed(&err) => return Err(closed()),
                Err(err) => return Err(err.into()),
            }
        }
        let line = String::from_utf8_lossy(&self.partial).trim_end().to_owned();
        self.partial.clear();
        let message: Value = serde_json::from_str(&line)
            .map_err(|err| QmpError::Protocol(format!("{err}: {line}")))?;
        if let Some(name) = message.get("event").and_then(Value::as_str) {
            self.log(format_args!("<<< event {line}"));
            self.events.push_back(Event {
                name: name.to_owned(),
                data: message.get("data").cloned().unwrap_or(Value::Null),
                timestamp: message.get("timestamp").cloned().unwrap_or(Value::Null),
            });
            return Ok(Some(Incoming::Event));
        }
        self.log(format_args!("<<< {line}"));
        Ok(Some(Incoming::Reply(message)))
    }

    fn log(&self, message: impl std::fmt::Display) {
        // Replies such as query-cpu-definitions run to tens of kilobytes:
        // their start says what they were.
        const KEEP: usize = 2000;
        let mut text = message.to_string();
        if text.len() > KEEP {
            let cut = (0..=KEEP)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            let total = text.len();
            text.truncate(cut);
            text.push_str(&format!(" ... ({total} bytes in all)"));
        }
        self.logs.log(format_args!("{}qmp {text}", self.prefix));
    }
}

enum Incoming {
    Reply(Value),
    Event,
}

fn is_closed(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset | io::ErrorKind::UnexpectedEof
    )
}
