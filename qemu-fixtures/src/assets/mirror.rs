//! Where a mirror serves assets by hash: a base URL or a directory.

use std::path::PathBuf;

/// Where a mirror serves assets by hash: `<base>/<hash>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mirror {
    Url(String),
    Directory(PathBuf),
}

impl Mirror {
    /// A base URL (`http://`, `https://`, `file://`) or a directory.
    pub fn parse(value: &str) -> Mirror {
        let value = value.trim_end_matches('/');
        if let Some(path) = value.strip_prefix("file://") {
            Mirror::Directory(PathBuf::from(path))
        } else if value.starts_with("http://") || value.starts_with("https://") {
            Mirror::Url(value.to_owned())
        } else {
            Mirror::Directory(PathBuf::from(value))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mirror_is_a_url_or_a_directory() {
        assert_eq!(
            Mirror::parse("https://cache.example/qemu/"),
            Mirror::Url("https://cache.example/qemu".into())
        );
        assert_eq!(
            Mirror::parse("file:///srv/assets"),
            Mirror::Directory("/srv/assets".into())
        );
        assert_eq!(
            Mirror::parse("/srv/assets"),
            Mirror::Directory("/srv/assets".into())
        );
    }
}
