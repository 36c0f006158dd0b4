//! Waiting on the guest CPU's state through the monitor: `info registers`
//! polled until it shows what a test expects, as upstream's NeXTcube and
//! PPE42 tests loop on `human-monitor-command`.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{Machine, TestError};
use crate::vm::qmp::QmpError;

/// How long [`Machine::wait_for_registers`] polls: upstream's PPE42 test's
/// 90 s, which is also the default console wait.
pub const REGISTERS_TIMEOUT: Duration = Duration::from_secs(90);
/// How long one poll waits for the guest to stop before asking again:
/// upstream's NeXTcube test polls every 0.1 s.
const POLL_PERIOD: Duration = Duration::from_millis(100);

impl Machine {
    /// Polls `info registers` until its output holds every string of
    /// `wanted`, for at most [`REGISTERS_TIMEOUT`]; returns that output.
    /// Between polls it waits for a QMP `STOP` event instead of sleeping:
    /// a guest that stops (`-action panic=pause`) never gets there, so the
    /// wait fails at once, as upstream's PPE42 test does.
    pub fn wait_for_registers(&mut self, wanted: &[&str]) -> Result<String, TestError> {
        self.wait_for_registers_timeout(wanted, REGISTERS_TIMEOUT)
    }

    /// [`Machine::wait_for_registers`] with its own timeout.
    pub fn wait_for_registers_timeout(
        &mut self,
        wanted: &[&str],
        timeout: Duration,
    ) -> Result<String, TestError> {
        let started = Instant::now();
        let mut polls = 0u64;
        loop {
            // Through `cmd`, so a QEMU that died says how.
            let answer = self.cmd(
                "human-monitor-command",
                json!({ "command-line": "info registers" }),
            )?;
            let registers = answer.as_str().unwrap_or_default().to_owned();
            polls += 1;
            if wanted.iter().all(|text| registers.contains(text)) {
                self.env().log(format_args!(
                    "info registers shows {wanted:?} after {polls} polls"
                ));
                return Ok(registers);
            }
            if started.elapsed() >= timeout {
                return Err(TestError::check(format!(
                    "info registers did not show {wanted:?} within {:.0}s ({polls} polls); last:\n{}",
                    timeout.as_secs_f64(),
                    registers.trim_end()
                )));
            }
            match self.qmp().wait_event("STOP", POLL_PERIOD) {
                Err(QmpError::EventTimeout { .. }) => {}
                Ok(_) => {
                    return Err(TestError::check(format!(
                        "the guest stopped (QMP event STOP) before info registers showed {wanted:?}; last:\n{}",
                        registers.trim_end()
                    )));
                }
                Err(err) => return Err(err.into()),
            }
        }
    }
}
