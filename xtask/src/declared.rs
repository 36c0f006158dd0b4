//! The assets the test binaries declare. Each arch crate's binary lists its
//! `#[asset]` statics when its `assets::declared_assets_are_well_formed`
//! test runs with `QEMU_TEST_LIST_ASSETS` set: no test boots, no list is
//! kept by hand.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};
use qemu_fixtures::assets::Asset;

use crate::nextest::{Binary, without_cargo_run_env};

/// Every asset the binaries declare, once per hash, with the packages that
/// declare it.
pub fn declared_assets(binaries: &[Binary]) -> anyhow::Result<Vec<(Asset, Vec<String>)>> {
    let list_dir = tempfile_dir()?;
    let mut by_hash: BTreeMap<String, (Asset, Vec<String>)> = BTreeMap::new();
    for binary in binaries {
        let list = list_dir.join(format!("{}.json", binary.package));
        let output = without_cargo_run_env(&mut Command::new(&binary.path))
            .args([
                "--exact",
                "assets::declared_assets_are_well_formed",
                "--nocapture",
            ])
            .env("QEMU_TEST_LIST_ASSETS", &list)
            .env("QEMU_TEST_RUN_ID", "xtask-list-assets")
            .env_remove("QEMU_TEST_PRECACHE")
            .output()
            .with_context(|| format!("running {}", binary.path.display()))?;
        if !output.status.success() {
            bail!(
                "{} does not list its assets:\n{}",
                binary.package,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let text = std::fs::read_to_string(&list)
            .with_context(|| format!("{} wrote no asset list", binary.package))?;
        let assets: Vec<Asset> = serde_json::from_str(&text)
            .with_context(|| format!("the asset list of {}", binary.package))?;
        for asset in assets {
            let entry = by_hash
                .entry(dedup_key(&asset))
                .or_insert_with(|| (asset, Vec::new()));
            entry.1.push(binary.package.clone());
        }
    }
    let _ = std::fs::remove_dir_all(&list_dir);
    let _ = std::fs::remove_dir_all(
        qemu_fixtures::harness::outcome::results_root().join("xtask-list-assets"),
    );
    Ok(by_hash.into_values().collect())
}

/// One entry per hash; a Debian package has no hash until apt resolves it,
/// so it is one entry per package (keyed by its URL), not one for them all.
fn dedup_key(asset: &Asset) -> String {
    if asset.hash().is_empty() {
        asset.url().to_owned()
    } else {
        asset.hash().to_owned()
    }
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("xtask-assets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_debian_package_counts_not_just_the_first() {
        let a = Asset::debian("deb:debian-installer-12-netboot-amd64");
        let b = Asset::debian_via("deb:linux-image-amd64", "linux-image-");
        assert_ne!(dedup_key(&a), dedup_key(&b));
    }
}
