//! Conditions that turn a test into a skip with a reason: the decorators of
//! QEMU's Python framework, as calls a test makes first.
//!
//! ```ignore
//! skip::flaky("https://gitlab.com/qemu-project/qemu/-/issues/2761")?;
//! skip::require_commands(&["cpio"])?;
//! ```

use std::fmt;

use crate::vm::Unavailable;
pub use crate::vm::binary::find_command;

/// Why a test did not run. It travels out of the test with `?` and is
/// reported as a skip, never as a pass or a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    reason: String,
}

impl Skip {
    pub fn new(reason: impl Into<String>) -> Skip {
        Skip {
            reason: reason.into(),
        }
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for Skip {}

/// What the vm layer reports missing (a machine, a device, the binary) is a
/// skip with the same reason. A configuration mistake is not something
/// missing: `TestError` makes it a failure, so convert through that.
impl From<Unavailable> for Skip {
    fn from(unavailable: Unavailable) -> Skip {
        Skip::new(unavailable.to_string())
    }
}

/// Skips unless every command is on `PATH`.
pub fn require_commands(commands: &[&str]) -> Result<(), Skip> {
    let missing: Vec<&str> = commands
        .iter()
        .copied()
        .filter(|command| find_command(command).is_none())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Skip::new(format!(
            "required command(s) missing from PATH: {}",
            missing.join(", ")
        )))
    }
}

/// Skips on the operating systems named (`std::env::consts::OS` values).
pub fn skip_on_os(systems: &[&str]) -> Result<(), Skip> {
    let os = std::env::consts::OS;
    if systems.contains(&os) {
        Err(Skip::new(format!(
            "not supported on this operating system: {os}"
        )))
    } else {
        Ok(())
    }
}

/// Skips unless the host machine is one of `machines`
/// (`std::env::consts::ARCH` values such as `x86_64`, `aarch64`).
pub fn require_host_machine(machines: &[&str]) -> Result<(), Skip> {
    let host = std::env::consts::ARCH;
    if machines.contains(&host) {
        Ok(())
    } else {
        Err(Skip::new(format!(
            "not supported on this host machine: {host} (needs {})",
            machines.join(" or ")
        )))
    }
}

/// A test known to fail at times: runs only with `QEMU_TEST_FLAKY_TESTS`
/// set. `issue` is the URL of the issue that tracks it, so the reason can be
/// looked up.
///
/// The `ci` profile of `.config/nextest.toml` retries tests whose name
/// contains `flaky`; a port keeps upstream's method name and, as upstream,
/// is not retried.
pub fn flaky(issue: &str) -> Result<(), Skip> {
    assert!(
        issue.starts_with("https://") || issue.starts_with("http://"),
        "skip::flaky needs the URL of the issue that tracks the failure, not {issue:?}"
    );
    opt_in(
        "QEMU_TEST_FLAKY_TESTS",
        &format!("test is unstable: {issue}"),
    )
}

/// Python's `skipFlakyTest(bug_url=None)`: a test known to fail at times
/// whose failure no issue tracks yet (upstream's older tests); runs only
/// with `QEMU_TEST_FLAKY_TESTS` set, and the reason says the URL is missing.
pub fn flaky_untracked() -> Result<(), Skip> {
    opt_in(
        "QEMU_TEST_FLAKY_TESTS",
        "test is unstable: FIXME: reproduce flaky test and file bug report or remove",
    )
}

/// A test that runs code from an untrusted source: runs only with
/// `QEMU_TEST_ALLOW_UNTRUSTED_CODE` set.
pub fn untrusted() -> Result<(), Skip> {
    opt_in("QEMU_TEST_ALLOW_UNTRUSTED_CODE", "test runs untrusted code")
}

/// A test that needs a lot of disk space: runs only with
/// `QEMU_TEST_ALLOW_LARGE_STORAGE` set.
pub fn big_data() -> Result<(), Skip> {
    opt_in("QEMU_TEST_ALLOW_LARGE_STORAGE", "test needs large storage")
}

/// A test that takes very long: runs only with `QEMU_TEST_ALLOW_SLOW` set.
pub fn slow() -> Result<(), Skip> {
    opt_in("QEMU_TEST_ALLOW_SLOW", "test is slow")
}

/// Skips unless this process may lock `kilobytes` kB of memory (Python's
/// `skipLockedMemoryTest`, which takes kB too). Like Python it reads the
/// HARD limit (`ulimit -Hl`): a soft limit below it can be raised by QEMU's
/// own user, and root locks past it anyway, so only the hard one forbids.
pub fn locked_memory(kilobytes: u64) -> Result<(), Skip> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut limit) } == 0;
    if !ok {
        return Ok(());
    }
    locked_memory_within(kilobytes, limit.rlim_max)
}

/// The decision of `locked_memory` for a hard limit of `hard_limit` bytes.
fn locked_memory_within(kilobytes: u64, hard_limit: libc::rlim_t) -> Result<(), Skip> {
    if hard_limit == libc::RLIM_INFINITY || hard_limit >= kilobytes.saturating_mul(1024) {
        return Ok(());
    }
    Err(Skip::new(format!(
        "test required {kilobytes} kB of available locked memory; ulimit -Hl allows {} kB",
        hard_limit / 1024
    )))
}

fn opt_in(variable: &str, what: &str) -> Result<(), Skip> {
    match std::env::var_os(variable) {
        Some(value) if !value.is_empty() => Ok(()),
        _ => Err(Skip::new(format!("{what}; set {variable}=1 to run it"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_commands_are_named() {
        let skip = require_commands(&["sh", "no-such-command-here"]).unwrap_err();
        assert!(skip.reason().contains("no-such-command-here"), "{skip}");
        assert!(!skip.reason().contains("sh,"), "{skip}");
        assert!(require_commands(&["sh"]).is_ok());
    }

    #[test]
    #[should_panic(expected = "URL of the issue")]
    fn flaky_needs_an_issue_url() {
        let _ = flaky("sometimes fails");
    }

    #[test]
    fn flaky_untracked_says_no_issue_tracks_it() {
        match std::env::var_os("QEMU_TEST_FLAKY_TESTS") {
            Some(value) if !value.is_empty() => assert!(flaky_untracked().is_ok()),
            _ => assert_eq!(
                flaky_untracked().unwrap_err().reason(),
                "test is unstable: FIXME: reproduce flaky test and file bug report or remove; \
                 set QEMU_TEST_FLAKY_TESTS=1 to run it"
            ),
        }
    }

    #[test]
    fn locked_memory_takes_kilobytes_and_reads_the_hard_limit() {
        // test_memlock.py's 2 GiB, as Python writes it: 2_097_152 kB.
        let two_gib_in_kb = 2_097_152;
        assert!(locked_memory_within(two_gib_in_kb, 2 << 30).is_ok());
        assert!(locked_memory_within(two_gib_in_kb, libc::RLIM_INFINITY).is_ok());
        let skip = locked_memory_within(two_gib_in_kb, 8192 * 1024).unwrap_err();
        assert_eq!(
            skip.reason(),
            "test required 2097152 kB of available locked memory; ulimit -Hl allows 8192 kB"
        );
        // One kB over the hard limit is refused; exactly the limit is not.
        assert!(locked_memory_within(8192, 8192 * 1024).is_ok());
        assert!(locked_memory_within(8193, 8192 * 1024).is_err());
    }

    #[test]
    fn locked_memory_ignores_a_lower_soft_limit() {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct we own.
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut limit) },
            0
        );
        let hard_kb = if limit.rlim_max == libc::RLIM_INFINITY {
            u64::MAX / 1024
        } else {
            limit.rlim_max / 1024
        };
        // Lowering the soft limit of this test's own process (nextest runs
        // each test alone) to 0 must not turn a fit within the hard one
        // into a skip.
        let lowered = libc::rlimit {
            rlim_cur: 0,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit reads the struct we own.
        assert_eq!(
            unsafe { libc::setrlimit(libc::RLIMIT_MEMLOCK, &lowered) },
            0
        );
        let result = locked_memory(hard_kb);
        // SAFETY: as above; restores what the test found.
        unsafe { libc::setrlimit(libc::RLIMIT_MEMLOCK, &limit) };
        assert_eq!(result, Ok(()));
        if limit.rlim_max != libc::RLIM_INFINITY {
            assert!(locked_memory(hard_kb + 1).is_err());
        }
    }

    #[test]
    fn a_flaky_test_skips_unless_asked_for() {
        let reason = flaky("https://gitlab.com/qemu-project/qemu/-/issues/1").unwrap_err();
        assert!(
            reason.reason().contains("issues/1")
                && reason.reason().contains("QEMU_TEST_FLAKY_TESTS")
        );
    }
}

/// Python's `skipUnless(os.getenv(variable), reason)`: runs only with
/// `variable` set and not empty (`QEMU_TEST_TIMEOUT_EXPECTED` for a test
/// that may run past its timeout).
pub fn unless_env(variable: &str, reason: &str) -> Result<(), Skip> {
    opt_in(variable, reason)
}

#[cfg(test)]
mod unless_env_tests {
    use super::*;

    #[test]
    fn unless_env_names_the_variable_and_runs_when_it_is_set() {
        let skip = unless_env("QEMU_TEST_NO_SUCH_OPT_IN", "Test might timeout").unwrap_err();
        assert_eq!(
            skip.reason(),
            "Test might timeout; set QEMU_TEST_NO_SUCH_OPT_IN=1 to run it"
        );
        assert!(unless_env("PATH", "needs a PATH").is_ok());
    }
}

/// Python's `@unittest.skip(reason)`: the test never runs; its body stays,
/// so the port keeps the original's shape for the day the skip goes.
pub fn always(reason: &str) -> Result<(), Skip> {
    Err(Skip::new(reason))
}

#[cfg(test)]
mod always_tests {
    #[test]
    fn always_skips_with_the_reason_as_given() {
        let skip = super::always("Incomplete reg 0x00178 support").unwrap_err();
        assert_eq!(skip.reason(), "Incomplete reg 0x00178 support");
    }
}
