//! The assets the test binaries declare. Each arch crate's binary lists its
//! `#[asset]` statics when its `assets::declared_assets_are_well_formed`
//! test runs with `QEMU_TEST_LIST_ASSETS` set: no test boots, no list is
//! kept by hand.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use qemu_fixtures::assets::Asset;
use serde_json::Value;

/// One test binary, built.
#[derive(Debug, Clone)]
pub struct Binary {
    pub package: String,
    pub path: PathBuf,
}

/// Builds the test binaries of `packages` (every `arch-*` crate when
/// empty) and returns their paths.
pub fn test_binaries(packages: &[String]) -> anyhow::Result<Vec<Binary>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(&cargo);
    command.args([
        "test",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    if packages.is_empty() {
        command.arg("--workspace");
    }
    for package in packages {
        command.args(["--package", package]);
    }
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running {cargo} test --no-run"))?;
    if !output.status.success() {
        bail!("building the test binaries failed");
    }
    let mut binaries = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" || message["target"]["name"] != "functional" {
            continue;
        }
        let Some(path) = message["executable"].as_str() else {
            continue;
        };
        let package = message["package_id"]
            .as_str()
            .and_then(package_name)
            .unwrap_or_default();
        if package.starts_with("arch-") {
            binaries.push(Binary {
                package,
                path: PathBuf::from(path),
            });
        }
    }
    binaries.sort_by(|a, b| a.package.cmp(&b.package));
    Ok(binaries)
}

/// Every asset the binaries declare, once per hash, with the packages that
/// declare it.
pub fn declared_assets(binaries: &[Binary]) -> anyhow::Result<Vec<(Asset, Vec<String>)>> {
    let list_dir = tempfile_dir()?;
    let mut by_hash: BTreeMap<String, (Asset, Vec<String>)> = BTreeMap::new();
    for binary in binaries {
        let list = list_dir.join(format!("{}.json", binary.package));
        let output = Command::new(&binary.path)
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
                .entry(asset.hash().to_owned())
                .or_insert_with(|| (asset, Vec::new()));
            entry.1.push(binary.package.clone());
        }
    }
    let _ = std::fs::remove_dir_all(&list_dir);
    let _ =
        std::fs::remove_dir_all(qemu_fixtures::harness::outcome::results_root().join("xtask-list-assets"));
    Ok(by_hash.into_values().collect())
}

/// `path+file:///work/main/arch-tests/arm#arch-arm@0.1.0` → `arch-arm`.
fn package_name(id: &str) -> Option<String> {
    let after = id.rsplit_once('#').map(|(_, rest)| rest)?;
    Some(after.split('@').next().unwrap_or(after).to_owned())
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("xtask-assets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    #[test]
    fn package_ids_name_their_package() {
        assert_eq!(
            super::package_name("path+file:///work/main/arch-tests/arm#arch-arm@0.1.0").as_deref(),
            Some("arch-arm")
        );
    }
}
