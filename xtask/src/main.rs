//! `cargo xtask`: the project's chores, one module per command.

mod flags;
mod junit;
mod report;

use clap::Parser;

fn main() -> anyhow::Result<()> {
    match flags::Xtask::parse().command {
        flags::Command::Report(report) => report.run(),
        flags::Command::Junit(junit) => junit.run(),
    }
}
