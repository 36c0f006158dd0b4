//! The whole command line of `cargo xtask`, one doc line per flag.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Chores of qemu-functional. Run `cargo xtask <task> --help` for one task.
#[derive(Debug, Parser)]
#[command(name = "xtask", bin_name = "cargo xtask", version, about)]
pub struct Xtask {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Summarise the last test run as our framework saw it: passes, skips
    /// with their reasons, failures with their log directories.
    Report(Report),
    /// Mark the tests that skipped at run time as skipped in nextest's JUnit
    /// report (nextest counts them as passed).
    Junit(Junit),
    /// Fetch every asset the test crates declare into the cache.
    Precache(Precache),
    /// Manage the asset cache.
    Assets(Assets),
    /// Measure the library's speed claims against command line tools.
    Bench(Bench),
    /// Per target: the machines of its QEMU, which a passing test booted,
    /// and its tests by speed class.
    Coverage(Coverage),
    /// Write a meson.build that runs every test module from `meson test`.
    MesonBridge(MesonBridge),
    /// Run one module's tests from a built test binary and print TAP (what
    /// the bridge's meson tests run).
    Tap(Tap),
    /// Build once, run in N CI jobs: the nextest archive, one partition of
    /// it, the partitions' results merged, the tests' costs for nextest.
    CiPlan(CiPlan),
}

#[derive(Debug, Args)]
pub struct CiPlan {
    #[command(subcommand)]
    pub command: CiPlanCommand,
}

#[derive(Debug, Subcommand)]
pub enum CiPlanCommand {
    /// Build every test binary of the workspace once, into one archive.
    Archive(CiArchive),
    /// Run one partition of the archive's tests in a directory of its own.
    Run(CiRun),
    /// Merge the partitions' results: one JUnit report, TAP stream and
    /// listing, every test once; lost, doubled and killed are errors.
    Merge(CiMerge),
    /// Write the threads-required and test groups of the tests' declared
    /// guest costs into .config/nextest.toml.
    Costs(CiCosts),
}

#[derive(Debug, Args)]
pub struct CiArchive {
    /// The archive to write (default target/ci/tests.tar.zst).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CiRun {
    /// `k/N` in our partition scheme, or `hash:k/N`, `slice:k/N`.
    #[arg(long)]
    pub partition: String,
    /// The archive `ci-plan archive` made (default target/ci/tests.tar.zst).
    #[arg(long)]
    pub archive: Option<PathBuf>,
    /// The partition's own directory: extraction, JUnit, records, events
    /// (default target/ci/partition-k).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// The workspace the tests see as theirs (default: this one).
    #[arg(long)]
    pub workspace: Option<PathBuf>,
    /// The nextest profile.
    #[arg(long, default_value = "ci")]
    pub profile: String,
    /// nextest's test threads (host cores; default: nextest's).
    #[arg(short, long)]
    pub jobs: Option<usize>,
}

#[derive(Debug, Args)]
pub struct CiMerge {
    /// The partitions' directories, one per job.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// The archive the partitions ran (default target/ci/tests.tar.zst).
    #[arg(long)]
    pub archive: Option<PathBuf>,
    /// The workspace the archive is listed in (default: this one).
    #[arg(long)]
    pub workspace: Option<PathBuf>,
    /// Where junit.xml, results.tap and verdicts.tsv go (default
    /// target/ci/merged).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CiCosts {
    /// Write nothing; fail when .config/nextest.toml's block is stale.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct Coverage {
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
    /// QEMU's own test files and methods against their ports, from the
    /// catalogue in xtask/upstream/.
    #[arg(long)]
    pub upstream: bool,
    /// With --upstream: fail when a file is neither ported whole nor listed
    /// with a reason in xtask/upstream/not-ported.tsv.
    #[arg(long, requires = "upstream")]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct MesonBridge {
    /// The directory to write meson.build into (default target/meson-bridge).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The cargo workspace whose `functional` test binaries are bridged
    /// (default: the one this xtask was built from).
    #[arg(long)]
    pub workspace: Option<PathBuf>,
    /// The xtask binary the meson tests run (default: this one).
    #[arg(long)]
    pub runner: Option<PathBuf>,
    /// Bridge the binaries' ignored tests instead (for testing the bridge).
    #[arg(long)]
    pub ignored: bool,
    /// What the generated file's build step runs: build the test binaries of
    /// the `--expect`ed modules' packages with cargo and write their paths to
    /// this JSON file; fail when cargo's build has other modules.
    #[arg(long, value_name = "JSON")]
    pub refresh: Option<PathBuf>,
    /// A `PACKAGE::MODULE` the generated file runs (repeatable; with `--refresh`).
    #[arg(long, value_name = "PACKAGE::MODULE")]
    pub expect: Vec<String>,
    /// What `ninja precache-functional-rs` runs: precache the `--package`s'
    /// assets from the workspace, whatever the current directory.
    #[arg(long)]
    pub precache: bool,
    /// A package to precache (repeatable; with `--precache`).
    #[arg(long, requires = "precache")]
    pub package: Vec<String>,
}

#[derive(Debug, Args)]
pub struct Tap {
    /// The built test binary.
    #[arg(long, required_unless_present = "manifest")]
    pub binary: Option<PathBuf>,
    /// The JSON of test binaries by package that the bridge's build step wrote
    /// (instead of `--binary`).
    #[arg(long, conflicts_with = "binary")]
    pub manifest: Option<PathBuf>,
    /// Its package (`arch-arm`), for the timeouts of .config/nextest.toml.
    #[arg(long)]
    pub package: String,
    /// The test module to run (`canon_a1100`).
    #[arg(long)]
    pub module: String,
    /// The workspace whose .config/nextest.toml gives the timeouts (default:
    /// the one this xtask was built from).
    #[arg(long)]
    pub workspace: Option<PathBuf>,
    /// Multiply each test's timeout by this (0: no timeout). Default: the `-t`
    /// of the `meson test` that started this runner, else 1.
    #[arg(long)]
    pub timeout_multiplier: Option<f64>,
    /// Run the module's ignored tests instead.
    #[arg(long)]
    pub ignored: bool,
}

#[derive(Debug, Args)]
pub struct Bench {
    /// What to measure; everything by default.
    #[arg(value_enum)]
    pub what: Option<BenchWhat>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum BenchWhat {
    /// Verifying a 1 GiB cached asset, first and later use.
    Assets,
    /// Unpacking 200 MB tar.xz and zstd files, first and cached use.
    Archive,
    /// Scanning console output for patterns.
    Console,
    /// A quick test's probes of its QEMU binary (`-machine help`,
    /// `--version`) over a raw QMP start and quit: uncached, cold, warm.
    Probes,
    All,
}

#[derive(Debug, Args)]
pub struct Precache {
    /// Only the assets of these crates (`arch-arm`, ...); all by default.
    #[arg(short, long)]
    pub package: Vec<String>,
    /// How many downloads run at once.
    #[arg(short, long, default_value_t = 4)]
    pub jobs: usize,
    /// Also put every fetched asset in this mirror directory, by hash, for
    /// `QEMU_TEST_ASSET_MIRROR` of CI jobs.
    #[arg(long, value_name = "DIR")]
    pub mirror: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct Assets {
    #[command(subcommand)]
    pub command: AssetsCommand,
}

#[derive(Debug, Subcommand)]
pub enum AssetsCommand {
    /// Remove cached assets no test declares, with their extractions.
    Gc(Gc),
}

#[derive(Debug, Args)]
pub struct Gc {
    /// Say what would be removed, remove nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also remove declared assets not used for this many days.
    #[arg(long, value_name = "DAYS")]
    pub older_than: Option<u64>,
}

#[derive(Debug, Args)]
pub struct Report {
    /// The nextest profile whose last run to summarise, from its JUnit
    /// report; the profile that ran last by default.
    #[arg(long)]
    pub profile: Option<String>,
    /// The run to summarise (a nextest run id), from its records alone
    /// unless --profile names the profile that ran it.
    #[arg(long)]
    pub run: Option<String>,
    /// The run of this `cargo xtask ci-plan run` partition directory: its
    /// records under the run id of its plan.json, with its JUnit report.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["profile", "run"])]
    pub dir: Option<PathBuf>,
    /// List every passing test too.
    #[arg(long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct Junit {
    /// The JUnit file nextest wrote.
    #[arg(default_value = "target/nextest/ci/junit.xml")]
    pub path: PathBuf,
}
