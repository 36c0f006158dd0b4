//! Checks on the repository itself, run by `cargo test -p xtask`.

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable").flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if name == "target" || name.to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }

    /// Every file opens with a `//!` line that says its concern.
    #[test]
    fn every_rust_file_says_its_concern_first() {
        let mut files = Vec::new();
        rust_files(&crate::meson_bridge::workspace_root(), &mut files);
        assert!(files.len() > 50, "found only {} files", files.len());
        let missing: Vec<_> = files
            .iter()
            .filter(|file| {
                !std::fs::read_to_string(file)
                    .unwrap_or_default()
                    .starts_with("//!")
            })
            .collect();
        assert!(
            missing.is_empty(),
            "files without a //! first line: {missing:?}"
        );
    }
}
