//! QMP events as Python's `vm.event_wait(name, timeout, match)` waits for
//! them: the next event of that name whose fields include `match`.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{Machine, TestError};
use crate::vm::qmp::{Event, QmpError};

/// Python's default `event_wait` timeout.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(60);

impl Machine {
    /// Python's `event_wait(name, match=...)`: waits up to
    /// [`EVENT_TIMEOUT`] for an event `name` whose JSON includes `matching`
    /// (`json!({"data": {"device": "net0"}})`; `Value::Null` matches any);
    /// events of that name that do not match are dropped, as in Python.
    pub fn event_wait(&mut self, name: &str, matching: Value) -> Result<Event, TestError> {
        self.event_wait_timeout(name, matching, EVENT_TIMEOUT)
    }

    /// [`Machine::event_wait`] with Python's `timeout` argument.
    pub fn event_wait_timeout(
        &mut self,
        name: &str,
        matching: Value,
        timeout: Duration,
    ) -> Result<Event, TestError> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = self.qmp().wait_event(name, left).map_err(|err| match err {
                QmpError::EventTimeout { .. } => TestError::check(format!(
                    "no QMP event {name} matching {matching} within {:.1}s",
                    timeout.as_secs_f64()
                )),
                err => TestError::from(err),
            })?;
            let whole = serde_json::json!({ "event": event.name, "data": event.data });
            if includes(&whole, &matching) {
                return Ok(event);
            }
        }
    }
}

/// Whether `value` holds every field of `pattern`, recursively in objects;
/// anything else must be equal (Python's `QEMUMachine.event_match`).
fn includes(value: &Value, pattern: &Value) -> bool {
    match pattern {
        Value::Null => true,
        Value::Object(fields) => fields.iter().all(|(key, wanted)| {
            value
                .get(key)
                .is_some_and(|actual| includes(actual, wanted))
        }),
        _ => value == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pattern_matches_a_subset_of_nested_fields() {
        let event =
            json!({"event": "DEVICE_DELETED", "data": {"device": "net_4711", "path": "/x"}});
        assert!(includes(&event, &json!({"data": {"device": "net_4711"}})));
        assert!(includes(&event, &Value::Null));
        assert!(!includes(&event, &json!({"data": {"device": "rn1"}})));
        assert!(!includes(&event, &json!({"data": {"missing": 1}})));
    }
}
