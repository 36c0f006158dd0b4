//! The meson bridge end to end: `xtask tap` on deliberate cases (a pass, a
//! skip, a failure) read back with a TAP parser, and a real meson project
//! shaped like QEMU's that pulls in a generated bridge.

mod cases;
mod ci_plan;
mod meson;
mod tap_parser;
mod tap_runner;

use std::path::PathBuf;

/// The xtask binary cargo built for these tests.
pub fn xtask() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_xtask"))
}

/// This test binary, which holds the cases.
pub fn this_binary() -> PathBuf {
    std::env::current_exe().expect("own path")
}
