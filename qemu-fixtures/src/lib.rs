//! qemu-fixtures: boot a real payload in a real QEMU, talk to it over the
//! serial console and QMP, and decide pass, fail or skip.
//!
//! Layers, each a folder, dependencies pointing down this list only:
//! `generic` (shared tests), `guests` (what boots), `harness` (one test's
//! life), `vm` (one QEMU process), `assets` (files from elsewhere).
//!
//! A test file needs only the prelude:
//! ```ignore
//! use qemu_fixtures::prelude::*;
//! ```

pub mod assets;
pub mod generic;
pub mod guests;
pub mod harness;
pub mod vm;

pub use harness::outcome::{TestError, TestResult};

/// What a test file imports.
pub mod prelude {
    pub use crate::assets::Asset;
    pub use crate::assets::archive::Format;
    pub use crate::assets::uncompress::Compression;
    pub use crate::ensure;
    pub use crate::guests::linux::LinuxKernel;
    pub use crate::guests::replay::ReplayKernel;
    pub use crate::guests::{aspeed, multiprocess, replay, reverse_debug};
    pub use crate::guests::{baremetal, edk2, linux, linux_stack, malta, migration, tuxrun, uboot};
    pub use crate::harness::Machine;
    pub use crate::harness::fixtures::{env, vm};
    pub use crate::harness::installed::Installed;
    pub use crate::harness::outcome::{TestError, TestResult};
    pub use crate::harness::ports::Ports;
    pub use crate::harness::skip::{self, Skip};
    pub use crate::harness::testenv::TestEnv;
    pub use crate::harness::usernet::{self, TftpRoot};
    pub use crate::vm::console::{Console, Match};
    pub use crate::vm::user::User;
    pub use qemu_fixtures_macros::{asset, qemu_test};
    pub use rstest::fixture;
    pub use serde_json::{Value, json};
}

/// Paths the macros expand to; not for use by tests.
#[doc(hidden)]
pub mod __private {
    pub use linkme;
    pub use qemu_fixtures_macros::qemu_test;
}
