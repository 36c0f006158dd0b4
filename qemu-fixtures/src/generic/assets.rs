//! Shared test `assets`: every `#[asset]` of the binary is well formed, and the list goes to `cargo xtask` when asked.

use std::sync::Arc;

use crate::assets::{Asset, REGISTRY, listing};
use crate::ensure;
use crate::harness::{TestEnv, TestError, TestResult};

/// Every `#[asset]` of this binary has a usable URL and hash, and no URL
/// is declared twice with different hashes. With
/// `QEMU_TEST_LIST_ASSETS=<file>`, also writes the list there as JSON:
/// how `cargo xtask precache` and `assets gc` learn what a binary needs.
pub fn declared_assets_are_well_formed(env: Arc<TestEnv>) -> TestResult {
    let mut by_url: std::collections::HashMap<&str, &str> = Default::default();
    for asset in REGISTRY {
        Asset::parse(asset.url(), asset.hash())?;
        if let Some(other) = by_url.insert(asset.url(), asset.hash()) {
            ensure!(
                other == asset.hash(),
                "{} is declared with two hashes, {other} and {}",
                asset.url(),
                asset.hash()
            );
        }
    }
    env.log(format_args!("{} assets declared", REGISTRY.len()));
    if let Some(path) = listing::requested() {
        listing::write_declared(&path)
            .map_err(|err| TestError::io(format!("writing {}", path.display()), err))?;
    }
    // The same channel lists the tests' declared guest costs.
    if let Some(path) = crate::harness::cost::requested() {
        crate::harness::cost::write_declared(&path)
            .map_err(|err| TestError::io(format!("writing {}", path.display()), err))?;
    }
    Ok(())
}
