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
        rust_files(&crate::nextest::workspace_root(), &mut files);
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

    /// The layers of qemu-fixtures, lowest first: a file may use its own
    /// layer and those before it, never one after it.
    const LAYERS: [&str; 5] = ["assets", "vm", "harness", "guests", "generic"];

    /// The layers `source` names as `crate::<layer>`, also inside
    /// `crate::{...}` groups; comments are skipped.
    fn layers_used(source: &str) -> Vec<&'static str> {
        let mut used = Vec::new();
        for line in source.lines() {
            let code = line.split("//").next().unwrap_or_default();
            for (at, _) in code.match_indices("crate::") {
                // `$crate::` in a macro names the same crate.
                let rest = &code[at + "crate::".len()..];
                let names: Vec<&str> = match rest.strip_prefix('{') {
                    Some(group) => group
                        .split([',', '}'])
                        .map(|name| name.trim().split("::").next().unwrap_or_default())
                        .collect(),
                    None => vec![
                        rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                            .next()
                            .unwrap_or_default(),
                    ],
                };
                for name in names {
                    if let Some(layer) = LAYERS.iter().find(|layer| **layer == name) {
                        used.push(*layer);
                    }
                }
            }
        }
        used
    }

    /// qemu-fixtures' folders are layers whose dependencies point one way:
    /// nothing under `assets/` uses `crate::vm`, nothing under `vm/` uses
    /// `crate::harness`, and so on up.
    #[test]
    fn qemu_fixtures_layers_use_only_layers_below() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives in the workspace")
            .join("qemu-fixtures")
            .join("src");
        let mut upward = Vec::new();
        let mut checked = 0;
        for (rank, layer) in LAYERS.iter().enumerate() {
            let mut files = Vec::new();
            rust_files(&src.join(layer), &mut files);
            assert!(
                !files.is_empty(),
                "no files under qemu-fixtures/src/{layer}"
            );
            for file in files {
                checked += 1;
                let source = std::fs::read_to_string(&file).expect("readable");
                for used in layers_used(&source) {
                    let used_rank = LAYERS.iter().position(|l| *l == used).expect("a layer");
                    if used_rank > rank {
                        upward.push(format!("{} uses crate::{used}", file.display()));
                    }
                }
            }
        }
        assert!(checked > 20, "checked only {checked} files");
        assert!(
            upward.is_empty(),
            "uses of a higher layer:\n{}",
            upward.join("\n")
        );
    }

    #[test]
    fn upward_uses_are_seen_in_paths_and_groups() {
        assert_eq!(layers_used("use crate::vm::Machine;"), ["vm"]);
        assert_eq!(
            layers_used("use crate::{assets::Asset, harness};"),
            ["assets", "harness"]
        );
        assert!(layers_used("// see crate::guests").is_empty());
        assert!(layers_used("crate::ensure!(x)").is_empty());
    }
}
