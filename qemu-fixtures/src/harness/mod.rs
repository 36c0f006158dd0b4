//! Layer `harness`: one test's life (identity, files, skips, verdicts, fixtures); uses `vm` and `assets`.

pub mod cost;
pub mod daemon;
pub mod env_assets;
pub mod events;
pub mod fixtures;
pub mod id;
pub mod installed;
pub mod known_failures;
pub mod ocr;
pub mod outcome;
pub mod ports;
pub mod qemu_img;
pub mod refusal;
pub mod registers;
pub mod screendump;
pub mod skip;
pub mod template;
pub mod testenv;
pub mod usernet;
pub mod watchdog;

pub use fixtures::{Machine, env, vm};
pub use id::{TEST_CRATE, TestId};
pub use installed::Installed;
pub use outcome::{TestError, TestResult};
pub use skip::Skip;
pub use testenv::TestEnv;
