//! `cargo xtask assets gc`: evict cached assets that no test declares any
//! more (and, with `--older-than`, those unused for that long), never one
//! that another process is downloading or using or that another tool wrote.

use std::time::Duration;

use qemu_fixtures::assets::{Asset, Cache};

use crate::declared::declared_assets;
use crate::flags::{Assets, AssetsCommand};
use crate::nextest::arch_binaries;

impl Assets {
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            AssetsCommand::Gc(gc) => {
                // Every crate's assets count, or gc would evict the others'.
                let binaries = arch_binaries(&[])?;
                let declared: Vec<Asset> = declared_assets(&binaries)?
                    .into_iter()
                    .map(|(asset, _)| asset)
                    .collect();
                let cache = Cache::from_env();
                let older_than = gc.older_than.map(|days| Duration::from_secs(days * 86_400));
                let report = cache.gc(&declared, older_than, gc.dry_run)?;
                let verb = if gc.dry_run {
                    "would remove"
                } else {
                    "removed"
                };
                for (path, size) in &report.removed {
                    println!("{verb} {} ({size} bytes)", path.display());
                }
                for path in &report.foreign {
                    println!(
                        "kept {}: not written by this framework (no .verified record)",
                        path.display()
                    );
                }
                for path in &report.in_use {
                    println!(
                        "kept {}: another process is using or downloading it",
                        path.display()
                    );
                }
                println!(
                    "{} {} bytes from {}; {} declared assets kept",
                    if gc.dry_run { "would free" } else { "freed" },
                    report.bytes_freed(),
                    cache.dir().display(),
                    report.kept
                );
                Ok(())
            }
        }
    }
}
