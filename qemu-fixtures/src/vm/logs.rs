//! The logging handle a QEMU writes through: its log directory and the
//! timestamped `base.log`, and what a machine needs from its owner.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What a machine needs from whoever owns it (a test's `TestEnv`): where
/// it logs, which target it runs, and its number among the owner's
/// machines.
pub trait Host: Send + Sync + 'static {
    /// The log directory and `base.log`.
    fn logs(&self) -> &Logs;
    /// The QEMU target, `qemu-system-<arch>`.
    fn arch(&self) -> &str;
    /// 0 for the first machine, then 1, 2, ...
    fn next_machine_index(&self) -> usize;
    /// One of its QEMUs was launched with this machine type (`None`: QEMU's
    /// default) by this QEMU release (`None`: `--version` did not say), so
    /// the verdict can be held against the known failures of that release.
    fn qemu_launched(&self, _machine: Option<&str>, _qemu: Option<super::probes::QemuVersion>) {}
    /// One of its QEMUs ended, this way.
    fn qemu_exited(&self, _exit: &super::process::Exit) {}
    /// Takes a machine's shutdown to run after the test's verdict is
    /// recorded, so a slow `quit` cannot delay the verdict; returns it when
    /// the owner wants it run now.
    fn defer_teardown(&self, teardown: Teardown) -> Option<Teardown> {
        Some(teardown)
    }
    /// A machine's shutdown failed (QEMU crashed or exited non-zero on
    /// `quit`): the owner turns a pass into a failure.
    fn teardown_failed(&self, _message: String) {}
}

/// A machine's shutdown, run later by its owner.
pub type Teardown = Box<dyn FnOnce() + Send>;

/// A log directory and its `base.log`; cheap to clone.
#[derive(Clone)]
pub struct Logs {
    dir: PathBuf,
    base: Arc<Log>,
    started: Instant,
}

impl Logs {
    /// Opens `<dir>/base.log` for appending; `dir` must exist. Timestamps
    /// count from now.
    pub fn create(dir: &Path) -> io::Result<Logs> {
        Ok(Logs {
            dir: dir.to_path_buf(),
            base: Arc::new(Log::create(&dir.join("base.log"))?),
            started: Instant::now(),
        })
    }

    /// The log directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A file named `name` in the log directory, which exists.
    pub fn file(&self, name: &str) -> PathBuf {
        assert!(
            !name.contains('/') && name != ".." && name != "." && !name.is_empty(),
            "path component {name:?} is not a single name: pass each component separately"
        );
        let _ = fs::create_dir_all(&self.dir);
        self.dir.join(name)
    }

    /// Appends one timestamped line to `base.log`.
    pub fn log(&self, message: impl fmt::Display) {
        self.base.line(self.started, message);
    }
}

impl fmt::Debug for Logs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logs").field("dir", &self.dir).finish()
    }
}

/// An append-only, line-per-event log file.
pub struct Log {
    file: Mutex<File>,
}

impl Log {
    pub fn create(path: &Path) -> io::Result<Log> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Log {
            file: Mutex::new(file),
        })
    }

    /// Writes `[+seconds] message`, one line per line of the message.
    pub fn line(&self, since: Instant, message: impl fmt::Display) {
        let stamp = since.elapsed().as_secs_f64();
        let text = message.to_string();
        let mut out = String::with_capacity(text.len() + 16);
        for line in text.lines() {
            out.push_str(&format!("[{stamp:9.3}s] {line}\n"));
        }
        // A log that cannot be written must not turn into a test failure.
        let _ = self.file.lock().unwrap().write_all(out.as_bytes());
    }
}
