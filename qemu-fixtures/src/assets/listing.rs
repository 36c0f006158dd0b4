//! The channel that tells `cargo xtask` which assets a test binary declares:
//! with `QEMU_TEST_LIST_ASSETS=<file>` set, the list is written there as JSON.

use std::io;
use std::path::PathBuf;

use super::declare::{Asset, REGISTRY};

/// The variable that names the file the list goes to.
pub const LIST_ASSETS: &str = "QEMU_TEST_LIST_ASSETS";

/// Where the list is asked for, if it is.
pub fn requested() -> Option<PathBuf> {
    std::env::var_os(LIST_ASSETS)
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
}

/// Writes every `#[asset]` of this binary to `path` as JSON.
pub fn write_declared(path: &std::path::Path) -> io::Result<()> {
    let list: Vec<&Asset> = REGISTRY.iter().collect();
    let json = serde_json::to_vec_pretty(&list).expect("assets serialise");
    std::fs::write(path, json)
}
