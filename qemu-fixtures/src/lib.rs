//! qemu-fixtures: boot a real payload in a real QEMU, talk to it over the
//! serial console and QMP, and decide pass, fail or skip.
//!
//! A test file needs only the prelude:
//! ```ignore
//! use qemu_fixtures::prelude::*;
//! ```

pub mod accel;
pub mod archive;
pub mod asset;
pub mod baremetal;
pub mod console;
pub mod debian;
pub mod edk2;
pub mod fixtures;
pub mod generic;
pub mod guest;
pub mod installed;
pub mod linux;
pub mod machine;
pub mod outcome;
pub mod process;
pub mod qmp;
pub mod skip;
pub mod testenv;
pub mod uboot;
pub mod uncompress;
pub mod unpacked;

pub use outcome::{TestError, TestResult};

/// What a test file imports.
pub mod prelude {
    pub use crate::archive::Format;
    pub use crate::asset::Asset;
    pub use crate::console::{Console, Match};
    pub use crate::ensure;
    pub use crate::fixtures::{env, vm};
    pub use crate::installed::Installed;
    pub use crate::machine::Machine;
    pub use crate::outcome::{TestError, TestResult};
    pub use crate::skip::{self, Skip};
    pub use crate::testenv::TestEnv;
    pub use crate::uncompress::Compression;
    pub use crate::{baremetal, edk2, linux, uboot};
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
