//! Declaring an asset: a URL and its hash (or a Debian package), checked at
//! compile time for a `static`, and the link-time registry of every
//! `#[asset]` of a binary.
//!
//! Discovery: each `#[asset] static X: Asset = Asset::new(url, hash)` is an
//! element of the link-time slice [`REGISTRY`] (the `linkme` crate), so a
//! test binary knows every asset it declares without running a test and
//! without a list kept by hand. `cargo xtask precache` and `cargo xtask
//! assets gc` read it through each binary's `assets::` test.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::debian;
use super::error::AssetError;
use super::hash::Algorithm;

/// Every asset declared with `#[asset]` in this binary.
#[linkme::distributed_slice]
pub static REGISTRY: [Asset];

/// A file fetched by URL and checked by hash, or a Debian package whose
/// hash comes from apt's signed index (`deb:<package>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    url: Cow<'static, str>,
    /// Empty for a Debian package until it is resolved.
    hash: Cow<'static, str>,
    /// For a Debian metapackage: the prefix of the dependency to follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    via: Option<Cow<'static, str>>,
}

impl Asset {
    /// Declares an asset. The hash is 64 lowercase hex digits (sha256) or
    /// 128 (sha512); anything else does not compile when the asset is a
    /// `static`.
    pub const fn new(url: &'static str, hash: &'static str) -> Asset {
        if let Err(message) = check_hash(hash.as_bytes()) {
            panic!("{}", message);
        }
        if let Err(message) = check_scheme(url.as_bytes()) {
            panic!("{}", message);
        }
        Asset {
            url: Cow::Borrowed(url),
            hash: Cow::Borrowed(hash),
            via: None,
        }
    }

    /// Declares a Debian package, `deb:<package>`: fetched with
    /// `apt-get download`, checked against the sha256 of apt's index.
    pub const fn debian(url: &'static str) -> Asset {
        if !starts_with(url.as_bytes(), b"deb:") {
            panic!("a Debian package asset is written deb:<package>");
        }
        Asset {
            url: Cow::Borrowed(url),
            hash: Cow::Borrowed(""),
            via: None,
        }
    }

    /// Declares the package a Debian metapackage depends on, the first
    /// dependency whose name starts with `via`:
    /// `Asset::debian_via("deb:linux-image-amd64", "linux-image-")` is the
    /// current kernel, whatever its ABI number.
    pub const fn debian_via(url: &'static str, via: &'static str) -> Asset {
        if !starts_with(url.as_bytes(), b"deb:") {
            panic!("a Debian package asset is written deb:<package>");
        }
        Asset {
            url: Cow::Borrowed(url),
            hash: Cow::Borrowed(""),
            via: Some(Cow::Borrowed(via)),
        }
    }

    /// Whether the hash comes from apt when fetched.
    pub fn is_debian(&self) -> bool {
        self.url.starts_with("deb:")
    }

    /// For a Debian package: the package named (without a `=version`),
    /// and the prefix of the dependency it follows, if any. The cache
    /// records the package it fetched in `<hash>.debian`, which gc matches
    /// against these: any cached version of a declared package stays.
    pub fn debian_package(&self) -> Option<(&str, Option<&str>)> {
        let package = self.url.strip_prefix("deb:")?;
        let name = package.split_once('=').map_or(package, |(name, _)| name);
        Some((name, self.via.as_deref()))
    }

    /// The concrete asset of a Debian package: its resolved version and
    /// sha256 (`deb:<package>=<version>`). Other assets are already
    /// concrete.
    pub fn resolve(&self) -> Result<Asset, AssetError> {
        if !self.is_debian() {
            return Ok(self.clone());
        }
        let package = self.url.trim_start_matches("deb:");
        let resolved = debian::resolve(package, self.via.as_deref())?;
        Ok(Asset {
            url: Cow::Owned(resolved.url()),
            hash: Cow::Owned(resolved.sha256),
            via: None,
        })
    }

    /// An asset from text read at run time (a list, a test's own server).
    pub fn parse(url: impl Into<String>, hash: impl Into<String>) -> Result<Asset, AssetError> {
        let (url, hash) = (url.into(), hash.into());
        if url.starts_with("deb:") && hash.is_empty() {
            return Ok(Asset {
                url: Cow::Owned(url),
                hash: Cow::Owned(hash),
                via: None,
            });
        }
        if let Err(message) = check_hash(hash.as_bytes()) {
            return Err(AssetError::InvalidHash {
                url,
                hash,
                message: message.to_owned(),
            });
        }
        if let Err(message) = check_scheme(url.as_bytes()) {
            return Err(AssetError::UnsupportedUrl {
                url,
                message: message.to_owned(),
            });
        }
        Ok(Asset {
            url: Cow::Owned(url),
            hash: Cow::Owned(hash),
            via: None,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn hash(&self) -> &str {
        &self.hash
    }

    pub fn algorithm(&self) -> Algorithm {
        if self.hash.len() == 64 {
            Algorithm::Sha256
        } else {
            Algorithm::Sha512
        }
    }

    /// The last path component of the URL (`day18.tar.xz`), which says what
    /// the file is when the cache names it by hash.
    pub fn file_name(&self) -> &str {
        let path = self.url.split(['?', '#']).next().unwrap_or_default();
        path.rsplit('/').next().unwrap_or_default()
    }

    /// Whether this asset is one of the `#[asset]` statics of this binary.
    pub fn is_registered(&self) -> bool {
        REGISTRY
            .iter()
            .any(|declared| std::ptr::eq(declared, self) || declared == self)
    }
}

impl fmt::Display for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

pub(super) const fn check_hash(hash: &[u8]) -> Result<(), &'static str> {
    if hash.len() != 64 && hash.len() != 128 {
        return Err("an asset hash is 64 hex digits (sha256) or 128 (sha512)");
    }
    let mut i = 0;
    while i < hash.len() {
        if !matches!(hash[i], b'0'..=b'9' | b'a'..=b'f') {
            return Err("an asset hash is lowercase hex: 0-9 and a-f only");
        }
        i += 1;
    }
    Ok(())
}

const fn check_scheme(url: &[u8]) -> Result<(), &'static str> {
    if starts_with(url, b"http://")
        || starts_with(url, b"https://")
        || starts_with(url, b"file://")
        || starts_with(url, b"deb:")
    {
        Ok(())
    } else {
        Err("an asset URL starts with http://, https:// or file:// (or deb: for a Debian package)")
    }
}

const fn starts_with(text: &[u8], prefix: &[u8]) -> bool {
    if text.len() < prefix.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if text[i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA256: &str = "28e71874ce985be66b7fd1345ed88cb2523b982f899c8d2900d6353054a1be49";

    #[test]
    fn the_hash_length_selects_the_algorithm() {
        let sha256 = Asset::parse("https://example.org/a.tar.xz", SHA256).unwrap();
        assert_eq!(sha256.algorithm(), Algorithm::Sha256);
        let sha512 = Asset::parse("https://example.org/a", "ab".repeat(64)).unwrap();
        assert_eq!(sha512.algorithm(), Algorithm::Sha512);
        assert_eq!(sha256.file_name(), "a.tar.xz");
    }

    #[test]
    fn other_hashes_and_schemes_are_rejected_with_a_reason() {
        let short = Asset::parse("https://example.org/a", "abc").unwrap_err();
        assert!(
            short
                .to_string()
                .contains("64 hex digits (sha256) or 128 (sha512)"),
            "{short}"
        );
        let upper = Asset::parse("https://example.org/a", SHA256.to_uppercase()).unwrap_err();
        assert!(upper.to_string().contains("lowercase hex"), "{upper}");
        let md5 =
            Asset::parse("https://example.org/a", "d41d8cd98f00b204e9800998ecf8427e").unwrap_err();
        assert!(matches!(md5, AssetError::InvalidHash { .. }));
        let ftp = Asset::parse("ftp://example.org/a", SHA256).unwrap_err();
        assert!(
            ftp.to_string().contains("http://, https:// or file://"),
            "{ftp}"
        );
    }
}
