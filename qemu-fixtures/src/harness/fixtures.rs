//! rstest fixtures that tie the library together: a test names what it
//! needs as arguments and gets it with logs, scratch and kill-on-drop
//! already set up.

use std::sync::{Arc, Once};

use rstest::fixture;

use super::testenv::TestEnv;
use crate::assets::{self, Cache};

/// A QEMU of this test: the vm layer's machine, owned by the test's
/// `TestEnv`, which gives it its logs.
pub type Machine = crate::vm::Machine<TestEnv>;

/// The test's first QEMU, of the test crate's target, not yet launched.
#[fixture]
pub fn vm() -> Machine {
    precache_once();
    Machine::new(TestEnv::current(), "")
}

/// The test's files and base.log, for tests that start no QEMU.
#[fixture]
pub fn env() -> Arc<TestEnv> {
    precache_once();
    TestEnv::current()
}

/// With `QEMU_TEST_PRECACHE` set, the first test of a binary in a run
/// fetches every asset the binary declares before any test goes on, as
/// QEMU's own precache step does; the others wait for it.
fn precache_once() {
    static ONCE: Once = Once::new();
    if std::env::var_os("QEMU_TEST_PRECACHE").is_none_or(|value| value.is_empty()) {
        return;
    }
    ONCE.call_once(|| {
        let cache = Cache::from_env();
        let run =
            std::env::var("NEXTEST_RUN_ID").unwrap_or_else(|_| std::process::id().to_string());
        let binary = std::env::current_exe()
            .ok()
            .and_then(|exe| {
                exe.file_name()
                    .map(|name| name.to_string_lossy().into_owned())
            })
            .unwrap_or_default();
        let marker = cache
            .root()
            .join("precache")
            .join(format!("{run}-{binary}"));
        let _ = std::fs::create_dir_all(marker.parent().expect("has a parent"));
        let Ok(lock) = std::fs::File::create(marker.with_extension("lock")) else {
            return;
        };
        if lock.lock().is_err() || marker.exists() {
            return;
        }
        for declared in assets::REGISTRY {
            match cache.fetch(declared, &assets::Quiet) {
                Ok(_) => {}
                Err(err) if err.is_transient() => {
                    eprintln!("precache: {err}: skipping asset precache");
                }
                Err(err) => eprintln!("precache: {err}"),
            }
        }
        let _ = std::fs::write(&marker, "");
    });
}
