//! One test's identity and files: its log directory (`base.log`,
//! `console.log`, `default.log`), scratch, socket, data, build and plugin
//! paths.

use std::ffi::OsStr;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Instant, SystemTime};

use crate::skip::Skip;

/// The crate names of the test functions linked into this binary, one entry
/// per `#[qemu_test]`. They all name the same crate: the first is read.
#[linkme::distributed_slice]
pub static TEST_CRATE: [&'static str];

/// Who a test is: its target architecture and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestId {
    /// The QEMU target, `qemu-system-<arch>`.
    pub arch: String,
    /// The first path segment of the test name (`canon_a1100`).
    pub module: String,
    /// The rest of the test name (`boots_barebox`, or
    /// `boots_kernel.case_1_gicv2` for an rstest case).
    pub test: String,
    /// The crate that holds the test (`arch-arm`).
    pub krate: String,
    /// 1 for the first run; nextest counts retries up from there.
    pub attempt: u32,
}

impl TestId {
    /// The identity of the test running on this thread, from nextest's
    /// environment, or from libtest's thread name under `cargo test`.
    pub fn current() -> TestId {
        let krate = TEST_CRATE
            .first()
            .map(|name| name.to_string())
            .or_else(|| std::env::var("CARGO_PKG_NAME").ok())
            .unwrap_or_default();
        let arch = std::env::var("QEMU_TEST_ARCH")
            .ok()
            .filter(|arch| !arch.is_empty())
            .or_else(|| krate.strip_prefix("arch-").map(str::to_owned))
            .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
        let name = std::env::var("NEXTEST_TEST_NAME")
            .ok()
            .or_else(|| std::thread::current().name().map(str::to_owned))
            .filter(|name| name != "main")
            .unwrap_or_else(|| "unnamed".to_owned());
        let attempt = std::env::var("NEXTEST_ATTEMPT")
            .ok()
            .and_then(|attempt| attempt.parse().ok())
            .unwrap_or(1);
        TestId::new(&krate, &arch, &name, attempt)
    }

    /// An identity from its parts; `name` is the libtest name
    /// (`module::test` or `module::test::case`).
    pub fn new(krate: &str, arch: &str, name: &str, attempt: u32) -> TestId {
        let (module, test) = name.split_once("::").unwrap_or(("", name));
        TestId {
            arch: arch.to_owned(),
            module: module.to_owned(),
            test: test.replace("::", "."),
            krate: krate.to_owned(),
            attempt,
        }
    }

    /// The libtest name again: `module::test`.
    pub fn name(&self) -> String {
        if self.module.is_empty() {
            self.test.replace('.', "::")
        } else {
            format!("{}::{}", self.module, self.test.replace('.', "::"))
        }
    }

    /// The directory name of this attempt: `<module>.<test>`, and
    /// `<module>.<test>.attempt-N` for a retry, so that a flaky pass keeps
    /// the failed attempt's logs.
    pub fn dir_name(&self) -> String {
        let base = if self.module.is_empty() {
            self.test.clone()
        } else {
            format!("{}.{}", self.module, self.test)
        };
        if self.attempt > 1 {
            format!("{base}.attempt-{}", self.attempt)
        } else {
            base
        }
    }
}

impl fmt::Display for TestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.krate, self.name())
    }
}

/// The root of every test's files: `$QEMU_BUILD_ROOT/tests/functional`, or
/// `target/functional` of this workspace.
pub fn functional_root() -> PathBuf {
    match std::env::var_os("QEMU_BUILD_ROOT").filter(|root| !root.is_empty()) {
        Some(root) => PathBuf::from(root).join("tests").join("functional"),
        None => target_dir().join("functional"),
    }
}

/// Cargo's target directory: `CARGO_TARGET_DIR`, else the ancestor of this
/// executable that holds cargo's `CACHEDIR.TAG`.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|dir| !dir.is_empty()) {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    exe.ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| std::env::temp_dir().join("qemu-functional"))
}

/// One test's files and its `base.log`.
pub struct TestEnv {
    id: TestId,
    log_dir: PathBuf,
    base_log: Log,
    socket_dir: OnceLock<tempfile::TempDir>,
    machines: AtomicUsize,
    started: Instant,
    /// Leases on cached files in use (see `asset`), released at the end.
    held: Mutex<Vec<File>>,
}

impl TestEnv {
    /// The environment of the test running on this thread, created on first
    /// use; `outcome::conclude` finishes it.
    pub fn current() -> Arc<TestEnv> {
        CURRENT.with(|current| {
            let mut current = current.lock().unwrap();
            current
                .get_or_insert_with(|| {
                    Arc::new(TestEnv::create(TestId::current()).unwrap_or_else(|err| {
                        panic!("cannot create the test's log directory: {err}")
                    }))
                })
                .clone()
        })
    }

    /// The environment created on this thread, taken so the next test on
    /// this thread starts afresh.
    pub(crate) fn take_current() -> Option<Arc<TestEnv>> {
        CURRENT.with(|current| current.lock().unwrap().take())
    }

    /// Creates the log directory of `id`, removing what an earlier run of
    /// the same attempt left.
    pub fn create(id: TestId) -> io::Result<TestEnv> {
        let arch_dir = functional_root().join(&id.arch);
        let log_dir = arch_dir.join(id.dir_name());
        if id.attempt <= 1 {
            // A new run: earlier retries' directories belong to an old run.
            remove_retry_dirs(&arch_dir, &id.dir_name())?;
        }
        match fs::remove_dir_all(&log_dir) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
        fs::create_dir_all(&log_dir)?;
        let base_log = Log::create(&log_dir.join("base.log"))?;
        let env = TestEnv {
            id,
            log_dir,
            base_log,
            socket_dir: OnceLock::new(),
            machines: AtomicUsize::new(0),
            started: Instant::now(),
            held: Mutex::new(Vec::new()),
        };
        env.log(format_args!("test {}", env.id));
        env.log(format_args!(
            "started {} (pid {}, attempt {})",
            humantime::format_rfc3339_millis(SystemTime::now()),
            std::process::id(),
            env.id.attempt
        ));
        env.log(format_args!("log directory {}", env.log_dir.display()));
        Ok(env)
    }

    pub fn id(&self) -> &TestId {
        &self.id
    }

    /// The test's log directory; what a failure message points to.
    pub fn log_dir(&self) -> &Path {
        &self.log_dir
    }

    /// The scratch directory, removed after a pass unless
    /// `QEMU_TEST_KEEP_SCRATCH` is set.
    pub fn scratch_dir(&self) -> PathBuf {
        self.log_dir.join("scratch")
    }

    /// A path in the scratch directory; its parent directories exist.
    pub fn scratch_file<I, S>(&self, parts: I) -> PathBuf
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        ensure_parent(join(self.scratch_dir(), parts))
    }

    /// A path in the log directory; its parent directories exist.
    pub fn log_file<I, S>(&self, parts: I) -> PathBuf
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        ensure_parent(join(self.log_dir.clone(), parts))
    }

    /// A directory for UNIX sockets. Socket paths are capped at 108 bytes and
    /// build directories can be deeper, so sockets live in a short per-test
    /// directory under the system's temporary directory.
    pub fn socket_dir(&self) -> &Path {
        self.socket_dir
            .get_or_init(|| {
                let base = std::env::temp_dir();
                // A deep TMPDIR would defeat the purpose.
                let base = if base.as_os_str().len() > 40 {
                    PathBuf::from("/tmp")
                } else {
                    base
                };
                tempfile::Builder::new()
                    .prefix("qf-")
                    .tempdir_in(base)
                    .expect("cannot create a socket directory")
            })
            .path()
    }

    /// A path in the socket directory.
    pub fn socket_file(&self, name: &str) -> PathBuf {
        self.socket_dir().join(name)
    }

    /// A file shipped with the test crate, under its `tests/data`.
    pub fn data_file<I, S>(&self, parts: I) -> PathBuf
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        join(data_dir(&self.id.krate), parts)
    }

    /// A file in QEMU's build tree (`QEMU_BUILD_ROOT`); a skip when no build
    /// tree is given.
    pub fn build_file<I, S>(&self, parts: I) -> Result<PathBuf, Skip>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let root = std::env::var_os("QEMU_BUILD_ROOT")
            .filter(|root| !root.is_empty())
            .ok_or_else(|| Skip::new("QEMU_BUILD_ROOT is not set: no QEMU build tree to use"))?;
        Ok(join(PathBuf::from(root), parts))
    }

    /// A TCG plugin of the build tree, `tests/tcg/plugins/lib<name>.so`; a
    /// skip when it was not built.
    pub fn plugin_file(&self, name: &str) -> Result<PathBuf, Skip> {
        let plugin = self.build_file(["tests", "tcg", "plugins", &format!("lib{name}.so")])?;
        if plugin.is_file() {
            Ok(plugin)
        } else {
            Err(Skip::new(format!(
                "TCG plugin {} is not built",
                plugin.display()
            )))
        }
    }

    /// Keeps a lock file open (a lease on a cached file) until the test
    /// ends.
    pub fn hold(&self, lease: File) {
        self.held.lock().unwrap().push(lease);
    }

    /// Appends one timestamped line to `base.log`.
    pub fn log(&self, message: impl fmt::Display) {
        self.base_log.line(self.started, message);
    }

    /// The name and log file names of the next machine: the first is `vm`
    /// and writes `console.log` and `default.log`, later ones use their name
    /// as a prefix.
    pub(crate) fn next_machine_index(&self) -> usize {
        self.machines.fetch_add(1, Ordering::Relaxed)
    }
}

impl fmt::Debug for TestEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestEnv")
            .field("id", &self.id)
            .field("log_dir", &self.log_dir)
            .finish()
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

thread_local! {
    static CURRENT: Mutex<Option<Arc<TestEnv>>> = const { Mutex::new(None) };
}

fn join<I, S>(mut base: PathBuf, parts: I) -> PathBuf
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    for part in parts {
        let part = part.as_ref();
        // Components, not paths: "a/b" or "/abs" would escape the base.
        assert!(
            Path::new(part).components().count() == 1
                && !part.as_encoded_bytes().contains(&b'/')
                && part != ".."
                && part != ".",
            "path component {part:?} is not a single name: pass each component separately"
        );
        base.push(part);
    }
    base
}

fn ensure_parent(path: PathBuf) -> PathBuf {
    if let Some(parent) = path.parent() {
        let _ = fs::create_dir_all(parent);
    }
    path
}

fn data_dir(krate: &str) -> PathBuf {
    let workspace = target_dir()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    match krate.strip_prefix("arch-") {
        Some(arch) => workspace
            .join("arch-tests")
            .join(arch)
            .join("tests")
            .join("data"),
        None => workspace.join(krate).join("tests").join("data"),
    }
}

fn remove_retry_dirs(arch_dir: &Path, base: &str) -> io::Result<()> {
    let Ok(entries) = fs::read_dir(arch_dir) else {
        return Ok(());
    };
    let prefix = format!("{base}.attempt-");
    for entry in entries.flatten() {
        let name = entry.file_name();
        if let Some(rest) = name.to_str().and_then(|name| name.strip_prefix(&prefix))
            && rest.chars().all(|c| c.is_ascii_digit())
        {
            fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_module_and_test() {
        let id = TestId::new("arch-arm", "arm", "canon_a1100::boots_barebox", 1);
        assert_eq!(id.module, "canon_a1100");
        assert_eq!(id.test, "boots_barebox");
        assert_eq!(id.dir_name(), "canon_a1100.boots_barebox");
        let case = TestId::new("arch-aarch64", "aarch64", "virt::boots::case_1_gicv2", 3);
        assert_eq!(case.dir_name(), "virt.boots.case_1_gicv2.attempt-3");
        assert_eq!(case.name(), "virt::boots::case_1_gicv2");
    }

    #[test]
    #[should_panic(expected = "not a single name")]
    fn path_components_with_slashes_are_refused() {
        join(PathBuf::from("/x"), ["a/b"]);
    }
}
