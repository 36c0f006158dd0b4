//! Debian packages as assets. A package is resolved with `apt-cache show`:
//! its candidate version and the sha256 that apt's signed index gives for
//! it, which keys it in the cache like any asset. It is downloaded with
//! `apt-get download`, so apt's own sources and proxies apply and no host
//! name is written here. Debian updates packages (a kernel's ABI number
//! changes), so a declaration names a package, or a metapackage and the
//! prefix of the dependency to follow, never a version.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::error::AssetError;

/// A package version as apt's index describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub package: String,
    pub version: String,
    pub architecture: String,
    pub sha256: String,
    pub size: u64,
}

impl Resolved {
    /// The pseudo-URL the cache shows for it: `deb:<package>=<version>`.
    pub fn url(&self) -> String {
        format!("deb:{}={}", self.package, self.version)
    }
}

/// Resolves `package`; with `via`, follows its first dependency whose name
/// starts with `via` (`linux-image-amd64` → `linux-image-6.1.0-57-amd64`).
pub fn resolve(package: &str, via: Option<&str>) -> Result<Resolved, AssetError> {
    let record = show(package)?;
    let Some(prefix) = via else {
        return parse(package, &record);
    };
    let depends = field(&record, "Depends").unwrap_or_default();
    let target = depends
        .split([',', '|'])
        .map(|alternative| {
            alternative
                .trim()
                .split([' ', '('])
                .next()
                .unwrap_or_default()
        })
        .find(|name| name.starts_with(prefix))
        .ok_or_else(|| {
            unavailable(
                package,
                format!("it depends on no package starting with {prefix:?} ({depends})"),
            )
        })?
        .to_owned();
    let record = show(&target)?;
    parse(&target, &record)
}

/// Downloads the resolved version into `dir` and returns the .deb's path.
pub fn download(resolved: &Resolved, dir: &Path) -> Result<PathBuf, AssetError> {
    let output = Command::new("apt-get")
        .args([
            "download",
            "-q",
            &format!("{}={}", resolved.package, resolved.version),
        ])
        .current_dir(dir)
        .output()
        .map_err(|err| unavailable(&resolved.package, format!("cannot run apt-get: {err}")))?;
    if !output.status.success() {
        // A failed fetch is a network problem: it may pass.
        return Err(AssetError::Network {
            url: resolved.url(),
            reason: format!(
                "apt-get download failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        });
    }
    std::fs::read_dir(dir)
        .map_err(|source| AssetError::Read {
            path: dir.to_path_buf(),
            source,
        })?
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|ext| ext == "deb"))
        .ok_or_else(|| AssetError::Network {
            url: resolved.url(),
            reason: "apt-get download wrote no .deb".to_owned(),
        })
}

fn show(package: &str) -> Result<String, AssetError> {
    let output = Command::new("apt-cache")
        .args(["show", "--no-all-versions", package])
        .output()
        .map_err(|err| {
            unavailable(
                package,
                format!("apt-cache cannot run here ({err}): Debian packages cannot be fetched"),
            )
        })?;
    let record = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() || record.trim().is_empty() {
        return Err(unavailable(
            package,
            format!(
                "apt knows no such package (run apt-get update?): {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        ));
    }
    Ok(record)
}

fn parse(package: &str, record: &str) -> Result<Resolved, AssetError> {
    let get = |name: &str| {
        field(record, name)
            .ok_or_else(|| unavailable(package, format!("apt's record has no {name}")))
    };
    Ok(Resolved {
        package: get("Package")?,
        version: get("Version")?,
        architecture: get("Architecture")?,
        sha256: get("SHA256")?,
        size: get("Size")?.parse().unwrap_or(0),
    })
}

/// The value of `Name: value` in the first stanza.
fn field(record: &str, name: &str) -> Option<String> {
    record
        .lines()
        .take_while(|line| !line.is_empty())
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .map(|value| value.trim().to_owned())
}

fn unavailable(package: &str, reason: String) -> AssetError {
    AssetError::Unavailable {
        url: format!("deb:{package}"),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = "Package: linux-image-amd64\nSource: linux-signed-amd64 (6.1.192+3)\nVersion: 6.1.192-3\nArchitecture: amd64\nDepends: linux-image-6.1.0-57-amd64 (= 6.1.192-3)\nSize: 1476\nSHA256: 4bf758c7753f48c545ecc23a3a56438f0b0acdf4d32c3ce8d4ec72361c1171bb\n\nPackage: other\n";

    #[test]
    fn records_give_version_and_hash() {
        let resolved = parse("linux-image-amd64", RECORD).unwrap();
        assert_eq!(resolved.version, "6.1.192-3");
        assert_eq!(
            resolved.sha256,
            "4bf758c7753f48c545ecc23a3a56438f0b0acdf4d32c3ce8d4ec72361c1171bb"
        );
        assert_eq!(resolved.url(), "deb:linux-image-amd64=6.1.192-3");
        assert_eq!(
            field(RECORD, "Depends").as_deref(),
            Some("linux-image-6.1.0-57-amd64 (= 6.1.192-3)")
        );
        assert_eq!(
            field(RECORD, "Package").as_deref(),
            Some("linux-image-amd64")
        );
    }
}
