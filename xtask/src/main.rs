//! `cargo xtask`: the project's chores, one module per command.

mod assets;
mod bench;
mod ci_costs;
mod ci_merge;
mod ci_plan;
mod coverage;
mod declared;
mod flags;
mod junit;
mod meson_bridge;
mod nextest;
mod precache;
mod report;
mod tap;
mod tidy;
mod upstream;

use clap::Parser;

fn main() -> anyhow::Result<()> {
    match flags::Xtask::parse().command {
        flags::Command::Report(report) => report.run(),
        flags::Command::Junit(junit) => junit.run(),
        flags::Command::Precache(precache) => precache.run(),
        flags::Command::Assets(assets) => assets.run(),
        flags::Command::Bench(bench) => bench.run(),
        flags::Command::Coverage(coverage) => coverage.run(),
        flags::Command::MesonBridge(bridge) => bridge.run(),
        flags::Command::Tap(tap) => tap.run(),
        flags::Command::CiPlan(plan) => plan.run(),
    }
}
