//! One test's files: its log directory (`base.log`,
//! `console.log`, `default.log`), scratch, socket, data, build and plugin
//! paths.

use std::ffi::OsStr;
use std::fmt;
use std::fs::{self, File};
use std::io::{self};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use super::id::TestId;
use super::skip::Skip;
use crate::vm::{Exit, Host, Logs, QemuVersion};

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
    // Cargo marks its target directory with CACHEDIR.TAG, but a target
    // directory created by a fresh `cargo build` may only have the
    // .rustc_info.json it always writes.
    exe.ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file() || dir.join(".rustc_info.json").is_file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| std::env::temp_dir().join("qemu-functional"))
}

/// One test's files and its `base.log`.
pub struct TestEnv {
    id: TestId,
    logs: Logs,
    socket_dir: OnceLock<tempfile::TempDir>,
    machines: AtomicUsize,
    /// Leases on cached files in use (see `asset`), released at the end.
    held: Mutex<Vec<File>>,
    /// What its QEMUs were and how they ended, for `known_failures`.
    qemus: Mutex<Qemus>,
    /// Machine shutdowns held until the verdict is recorded; `None` while
    /// the body runs, so a machine dropped mid-test stops at once.
    teardowns: Mutex<Option<Vec<crate::vm::Teardown>>>,
    /// What went wrong shutting machines down.
    teardown_failures: Mutex<Vec<String>>,
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
        // The old directory is renamed away before it is removed: another
        // process running the same test (a selftest's child processes do)
        // may be writing into it, and removing it in place then fails with
        // "Directory not empty".
        let stale = arch_dir.join(format!(".{}.stale-{}", id.dir_name(), std::process::id()));
        match fs::rename(&log_dir, &stale) {
            Ok(()) => {
                let _ = fs::remove_dir_all(&stale);
            }
            Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
            Err(_) => {}
        }
        fs::create_dir_all(&log_dir)?;
        let logs = Logs::create(&log_dir)?;
        let env = TestEnv {
            id,
            logs,
            socket_dir: OnceLock::new(),
            machines: AtomicUsize::new(0),
            held: Mutex::new(Vec::new()),
            qemus: Mutex::new(Qemus::default()),
            teardowns: Mutex::new(None),
            teardown_failures: Mutex::new(Vec::new()),
        };
        env.log(format_args!("test {}", env.id));
        env.log(format_args!(
            "started {} (pid {}, attempt {})",
            humantime::format_rfc3339_millis(SystemTime::now()),
            std::process::id(),
            env.id.attempt
        ));
        env.log(format_args!("log directory {}", env.log_dir().display()));
        Ok(env)
    }

    pub fn id(&self) -> &TestId {
        &self.id
    }

    /// The test's log directory; what a failure message points to.
    pub fn log_dir(&self) -> &Path {
        self.logs.dir()
    }

    /// The logging handle its machines write through.
    pub fn logs(&self) -> &Logs {
        &self.logs
    }

    /// The scratch directory, removed after a pass unless
    /// `QEMU_TEST_KEEP_SCRATCH` is set.
    pub fn scratch_dir(&self) -> PathBuf {
        self.log_dir().join("scratch")
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
        ensure_parent(join(self.log_dir().to_path_buf(), parts))
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

    /// A TCG plugin of the build tree, `tests/tcg/plugins/<name>.so`, named
    /// as Python's `plugin_file` names it (`libinsn`); a skip when it was
    /// not built.
    pub fn plugin_file(&self, name: &str) -> Result<PathBuf, Skip> {
        let plugin = self.build_file(["tests", "tcg", "plugins", &plugin_file_name(name)])?;
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
        self.logs.log(message);
    }

    /// The name and log file names of the next machine: the first is `vm`
    /// and writes `console.log` and `default.log`, later ones use their name
    /// as a prefix.
    pub(crate) fn next_machine_index(&self) -> usize {
        self.machines.fetch_add(1, Ordering::Relaxed)
    }

    /// From now on machines dropped are shut down by `take_teardowns`'s
    /// caller, after the verdict.
    pub(crate) fn defer_teardowns(&self) {
        self.teardowns.lock().unwrap().get_or_insert_with(Vec::new);
    }

    /// The shutdowns held so far; later drops are held again.
    pub(crate) fn take_teardowns(&self) -> Vec<crate::vm::Teardown> {
        self.teardowns
            .lock()
            .unwrap()
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// What failed in the machines' shutdowns so far.
    pub(crate) fn take_teardown_failures(&self) -> Vec<String> {
        std::mem::take(&mut self.teardown_failures.lock().unwrap())
    }
}

/// The QEMUs a test launched: what the verdict is judged against in
/// `known_failures`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Qemus {
    /// Each launch's machine type (`None`: QEMU's default) and QEMU release
    /// (`None`: its `--version` said none).
    pub launched: Vec<(Option<String>, Option<QemuVersion>)>,
    /// The signals that ended any of them, in order.
    pub signals: Vec<i32>,
}

impl TestEnv {
    /// The QEMUs this test launched so far, and the signals that ended them.
    pub fn qemus(&self) -> Qemus {
        self.qemus.lock().unwrap().clone()
    }
}

impl fmt::Debug for TestEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestEnv")
            .field("id", &self.id)
            .field("log_dir", &self.log_dir())
            .finish()
    }
}

impl Host for TestEnv {
    fn logs(&self) -> &Logs {
        &self.logs
    }

    fn arch(&self) -> &str {
        &self.id.arch
    }

    fn next_machine_index(&self) -> usize {
        TestEnv::next_machine_index(self)
    }

    fn qemu_launched(&self, machine: Option<&str>, qemu: Option<QemuVersion>) {
        let mut qemus = self.qemus.lock().unwrap();
        qemus.launched.push((machine.map(str::to_owned), qemu));
    }

    fn qemu_exited(&self, exit: &Exit) {
        if let Some(signal) = exit.signal() {
            self.qemus.lock().unwrap().signals.push(signal);
        }
    }

    fn defer_teardown(&self, teardown: crate::vm::Teardown) -> Option<crate::vm::Teardown> {
        match self.teardowns.lock().unwrap().as_mut() {
            Some(held) => {
                held.push(teardown);
                None
            }
            None => Some(teardown),
        }
    }

    fn teardown_failed(&self, message: String) {
        self.teardown_failures.lock().unwrap().push(message);
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
    data_dir_in(&workspace_dir(), krate)
}

/// The workspace the test's sources are in: nextest's
/// `NEXTEST_WORKSPACE_ROOT` (remapped when it runs from an archive
/// elsewhere, and `cargo xtask ci-plan run` puts the target directory in a
/// partition's own directory), else the target directory's parent.
fn workspace_dir() -> PathBuf {
    workspace_from(std::env::var_os("NEXTEST_WORKSPACE_ROOT"), &target_dir())
}

fn workspace_from(nextest_root: Option<std::ffi::OsString>, target: &Path) -> PathBuf {
    match nextest_root.filter(|root| !root.is_empty()) {
        Some(root) => PathBuf::from(root),
        None => target.parent().map(Path::to_path_buf).unwrap_or_default(),
    }
}

fn data_dir_in(workspace: &Path, krate: &str) -> PathBuf {
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

/// The file of TCG plugin `name`: the name as given (it carries its `lib`
/// prefix, as upstream's tests write it) plus the host's DSO suffix.
fn plugin_file_name(name: &str) -> String {
    format!("{name}.{}", std::env::consts::DLL_EXTENSION)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From an archive, the partition's target directory is not in the
    /// workspace: a test's data comes from the workspace nextest names.
    #[test]
    fn test_data_is_found_in_the_workspace_nextest_names() {
        let target = Path::new("/ci/partition-2/target");
        let workspace = workspace_from(Some("/builds/qemu".into()), target);
        assert_eq!(
            data_dir_in(&workspace, "arch-x86_64"),
            Path::new("/builds/qemu/arch-tests/x86_64/tests/data")
        );
        assert_eq!(
            workspace_from(None, Path::new("/src/qemu-functional/target")),
            Path::new("/src/qemu-functional")
        );
    }

    #[test]
    fn plugins_are_named_as_python_names_them() {
        assert_eq!(plugin_file_name("libinsn"), "libinsn.so");
        assert_eq!(plugin_file_name("libbb"), "libbb.so");
    }

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
