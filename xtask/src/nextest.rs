//! What nextest says about our tests: the one build it makes, the tests a
//! profile runs (`cargo nextest list`), and each test's timeout and priority
//! from `.config/nextest.toml`, with filtersets evaluated by nextest's own
//! `nextest-filtering` crate.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use guppy::graph::PackageGraph;
use nextest_filtering::{
    BinaryQuery, EvalContext, Filterset, FiltersetKind, KnownGroups, ParseContext,
};
use nextest_metadata::{RustBinaryId, RustTestBinaryKind, TestCaseName, TestListSummary};

/// `cargo`, for a command that builds or lists the workspace's tests.
///
/// `cargo xtask` is `cargo run`, which sets the package variables of xtask
/// (`CARGO_PKG_NAME=xtask`, `CARGO_MANIFEST_DIR=.../xtask`, ...) for us. A
/// nested cargo that inherits them hands them to build scripts that track
/// them (ring's does), so their fingerprints change and the next plain
/// `cargo nextest run` rebuilds ring, rustls, ureq and everything above.
/// They are dropped here, once, for every command xtask starts.
pub fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(workspace_root());
    without_cargo_run_env(&mut command);
    command
}

/// Drops the variables `cargo run` sets for the binary it runs, so that a
/// process xtask starts sees the environment the user's shell has.
pub fn without_cargo_run_env(command: &mut Command) -> &mut Command {
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if is_set_by_cargo_run(name) {
            command.env_remove(name);
        }
    }
    command
}

fn is_set_by_cargo_run(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || matches!(
            name,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_MANIFEST_LINKS"
                | "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "CARGO_PRIMARY_PACKAGE"
                | "CARGO_TARGET_TMPDIR"
                | "OUT_DIR"
        )
}

/// The workspace, where xtask was built from.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// One test binary of the workspace, as nextest built it.
#[derive(Debug, Clone)]
pub struct Binary {
    pub package: String,
    pub binary_id: String,
    pub path: PathBuf,
    /// Its tests, and whether the listed profile runs each by default.
    pub tests: Vec<(String, bool)>,
}

/// The workspace's test binaries and tests as `cargo nextest list --profile
/// <profile>` reports them. It always lists the whole workspace, as
/// `cargo nextest run --workspace` builds it: another package selection
/// unifies features differently and builds the shared crates a second time.
pub fn list(profile: &str) -> anyhow::Result<Vec<Binary>> {
    let output = cargo()
        .args(["nextest", "list", "--workspace", "--message-format", "json"])
        .args(["--profile", profile])
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo nextest list")?;
    if !output.status.success() {
        bail!("cargo nextest list --profile {profile} failed");
    }
    let summary = TestListSummary::parse_json(String::from_utf8_lossy(&output.stdout))
        .context("reading cargo nextest list's JSON")?;
    Ok(summary
        .rust_suites
        .into_values()
        .map(|suite| Binary {
            package: suite.package_name,
            binary_id: suite.binary.binary_id.to_string(),
            path: suite.binary.binary_path.into(),
            tests: suite
                .test_cases
                .into_iter()
                .map(|(name, case)| (name.to_string(), case.filter_match.is_match()))
                .collect(),
        })
        .collect())
}

/// The `functional` binaries of the arch crates (of `packages` only, when
/// not empty), built as `cargo nextest run --workspace` builds them.
pub fn arch_binaries(packages: &[String]) -> anyhow::Result<Vec<Binary>> {
    let mut binaries: Vec<Binary> = list("default")?
        .into_iter()
        .filter(|binary| binary.package.starts_with("arch-"))
        .filter(|binary| binary.binary_id.ends_with("::functional"))
        .filter(|binary| packages.is_empty() || packages.contains(&binary.package))
        .collect();
    for package in packages {
        if !binaries.iter().any(|binary| &binary.package == package) {
            bail!("no arch crate named {package}");
        }
    }
    binaries.sort_by(|a, b| a.package.cmp(&b.package));
    Ok(binaries)
}

/// What one profile of `.config/nextest.toml` says about each test.
pub struct Profile {
    graph: PackageGraph,
    default_filter: Option<Filterset>,
    slow_timeout: Option<Duration>,
    /// The profile's own overrides first, then profile.default's: nextest's
    /// order. The first that sets a value decides it.
    overrides: Vec<Override>,
}

struct Override {
    filter: Filterset,
    priority: Option<i64>,
    /// `Some(None)`: the override sets a slow-timeout that never terminates.
    timeout: Option<Option<Duration>>,
}

/// One test, as filtersets see it.
#[derive(Debug, Clone, Copy)]
pub struct TestQuery<'a> {
    /// The package, `arch-arm`.
    pub package: &'a str,
    /// The binary id, `arch-arm::functional`.
    pub binary_id: &'a str,
    /// The test name, `canon_a1100::boots_barebox`.
    pub test: &'a str,
}

impl Profile {
    /// The profile `name` of the workspace's `.config/nextest.toml`.
    pub fn load(name: &str) -> anyhow::Result<Profile> {
        Profile::load_in(&workspace_root(), name)
    }

    /// The profile `name` of the `.config/nextest.toml` of the workspace at
    /// `root` (the meson bridge runs the tests of the workspace it was
    /// generated for, with that workspace's timeouts).
    pub fn load_in(root: &Path, name: &str) -> anyhow::Result<Profile> {
        let path = root.join(".config/nextest.toml");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let graph = package_graph(root)?;
        Profile::parse(graph, &text, name).with_context(|| format!("in {}", path.display()))
    }

    fn parse(graph: PackageGraph, text: &str, name: &str) -> anyhow::Result<Profile> {
        let toml: toml::Table = text.parse()?;
        let profiles = toml.get("profile").and_then(|p| p.as_table());
        let profile = |name: &str| {
            profiles
                .and_then(|p| p.get(name))
                .and_then(|p| p.as_table())
        };
        // Settings other than overrides come from the profile, then what it
        // inherits, then profile.default.
        let mut chain = Vec::new();
        let mut next = Some(name.to_owned());
        while let Some(current) = next.take() {
            if chain.contains(&current) {
                bail!("profile {current} inherits itself");
            }
            let table = profile(&current);
            if table.is_none() && current != "default" {
                bail!("no profile {current}");
            }
            next = table
                .and_then(|t| t.get("inherits"))
                .and_then(|i| i.as_str())
                .map(str::to_owned);
            chain.push(current);
        }
        if chain.last().map(String::as_str) != Some("default") {
            chain.push("default".to_owned());
        }
        let setting = |key: &str| {
            chain
                .iter()
                .find_map(|name| profile(name).and_then(|t| t.get(key)))
        };
        let cx = ParseContext::new(&graph);
        let parse = |input: &str, kind| {
            Filterset::parse(input.to_owned(), &cx, kind, &KnownGroups::Unavailable)
                .map_err(|errors| anyhow::anyhow!("filterset `{input}`: {errors:?}"))
        };
        let default_filter = setting("default-filter")
            .map(|value| {
                let text = value.as_str().context("default-filter is not a string")?;
                parse(text, FiltersetKind::DefaultFilter)
            })
            .transpose()?;
        let slow_timeout = setting("slow-timeout")
            .map(timeout_of)
            .transpose()?
            .flatten();
        let mut overrides = Vec::new();
        let mut sources = vec![name];
        if name != "default" {
            sources.push("default");
        }
        for source in sources {
            let entries = profile(source)
                .and_then(|t| t.get("overrides"))
                .and_then(|o| o.as_array());
            for entry in entries.into_iter().flatten() {
                if entry.get("platform").is_some() {
                    bail!(
                        "an override with `platform` is not evaluated here; add it to nextest.rs"
                    );
                }
                let filter = entry
                    .get("filter")
                    .and_then(|f| f.as_str())
                    .context("an override without a filter")?;
                overrides.push(Override {
                    filter: parse(filter, FiltersetKind::OverrideFilter)?,
                    priority: entry.get("priority").and_then(|p| p.as_integer()),
                    timeout: entry.get("slow-timeout").map(timeout_of).transpose()?,
                });
            }
        }
        drop(cx);
        Ok(Profile {
            graph,
            default_filter,
            slow_timeout,
            overrides,
        })
    }

    /// Whether the profile runs it when no filter is given.
    pub fn runs_by_default(&self, test: &TestQuery) -> bool {
        let Some(filter) = &self.default_filter else {
            return true;
        };
        self.with_query(test, |query, cx| filter.matches_test(query, cx))
            .unwrap_or(false)
    }

    /// When nextest kills it (slow-timeout period × terminate-after); `None`
    /// when nothing terminates it.
    pub fn timeout(&self, test: &TestQuery) -> Option<Duration> {
        self.overrides
            .iter()
            .filter(|o| o.timeout.is_some())
            .find(|o| self.matches(&o.filter, test))
            .map_or(self.slow_timeout, |o| o.timeout.flatten())
    }

    /// Its priority (higher starts first), 0 unless an override says.
    pub fn priority(&self, test: &TestQuery) -> i64 {
        self.overrides
            .iter()
            .filter(|o| o.priority.is_some())
            .find(|o| self.matches(&o.filter, test))
            .and_then(|o| o.priority)
            .unwrap_or(0)
    }

    fn matches(&self, filter: &Filterset, test: &TestQuery) -> bool {
        self.with_query(test, |query, cx| filter.matches_test(query, cx))
            .unwrap_or(false)
    }

    /// Runs `f` on nextest's query for `test`; `None` when its package is
    /// not in the workspace.
    fn with_query<T>(
        &self,
        test: &TestQuery,
        f: impl FnOnce(&nextest_filtering::TestQuery, &EvalContext) -> T,
    ) -> Option<T> {
        let package = self.graph.workspace().member_by_name(test.package).ok()?;
        let binary_id = RustBinaryId::new(test.binary_id);
        let binary_name = test.binary_id.rsplit("::").next().unwrap_or(test.binary_id);
        let test_name = TestCaseName::new(test.test);
        let query = nextest_filtering::TestQuery {
            binary_query: BinaryQuery {
                package_id: package.id(),
                binary_id: &binary_id,
                binary_name,
                kind: &RustTestBinaryKind::TEST,
                platform: guppy::graph::cargo::BuildPlatform::Target,
            },
            test_name: &test_name,
        };
        let everything = nextest_filtering::CompiledExpr::ALL;
        let default_filter = self
            .default_filter
            .as_ref()
            .map_or(&everything, |filter| &filter.compiled);
        Some(f(&query, &EvalContext { default_filter }))
    }
}

fn package_graph(root: &Path) -> anyhow::Result<PackageGraph> {
    let mut metadata = guppy::MetadataCommand::new();
    metadata.current_dir(root).no_deps();
    let json = metadata.exec().context("running cargo metadata")?;
    PackageGraph::from_metadata(json).context("reading cargo metadata")
}

/// A `slow-timeout` as nextest reads it: `"60s"` never terminates, a table
/// terminates after `period × terminate-after`.
fn timeout_of(value: &toml::Value) -> anyhow::Result<Option<Duration>> {
    let parse = |text: &str| {
        humantime::parse_duration(text).with_context(|| format!("slow-timeout {text:?}"))
    };
    match value {
        toml::Value::String(period) => {
            parse(period)?;
            Ok(None)
        }
        toml::Value::Table(table) => {
            let period = table
                .get("period")
                .and_then(|p| p.as_str())
                .context("slow-timeout without a period")?;
            let period = parse(period)?;
            Ok(table
                .get("terminate-after")
                .and_then(|t| t.as_integer())
                .map(|times| period * times as u32))
        }
        other => bail!("slow-timeout {other} is neither a string nor a table"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query<'a>(package: &'a str, binary_id: &'a str, test: &'a str) -> TestQuery<'a> {
        TestQuery {
            package,
            binary_id,
            test,
        }
    }

    /// Evaluated by nextest's crate: globs, regexes, `package()`, `binary_id()`,
    /// set operators, and the override order of a profile.
    #[test]
    fn filtersets_and_overrides_read_as_nextest_reads_them() {
        let text = r#"
            [profile.default]
            default-filter = "not (test(/^linux_/) | test(#canon*))"
            slow-timeout = { period = "30s", terminate-after = 4 }
            [[profile.default.overrides]]
            filter = "package(arch-arm) & test(/^uboot::/)"
            priority = 50
            slow-timeout = { period = "30s", terminate-after = 2 }
            [[profile.default.overrides]]
            filter = "binary_id(arch-arm::functional) and test(=version::reports_it)"
            slow-timeout = "60s"
            [profile.thorough]
            default-filter = "all()"
            [[profile.thorough.overrides]]
            filter = "test(/^uboot::/)"
            slow-timeout = { period = "10s", terminate-after = 1 }
        "#;
        let graph = package_graph(&workspace_root()).unwrap();
        let profile = Profile::parse(graph, text, "default").unwrap();
        let arm = |test| query("arch-arm", "arch-arm::functional", test);
        assert!(profile.runs_by_default(&arm("uboot::boots")));
        assert!(!profile.runs_by_default(&arm("linux_deb::boots")));
        assert!(!profile.runs_by_default(&arm("canon_a1100::boots_barebox")));
        assert_eq!(profile.priority(&arm("uboot::boots")), 50);
        assert_eq!(
            profile.timeout(&arm("uboot::boots")),
            Some(Duration::from_secs(60))
        );
        assert_eq!(profile.timeout(&arm("version::reports_it")), None);
        let riscv = query("arch-riscv64", "arch-riscv64::functional", "uboot::boots");
        assert_eq!(profile.priority(&riscv), 0);
        assert_eq!(profile.timeout(&riscv), Some(Duration::from_secs(120)));

        let graph = package_graph(&workspace_root()).unwrap();
        let thorough = Profile::parse(graph, text, "thorough").unwrap();
        assert!(thorough.runs_by_default(&arm("linux_deb::boots")));
        // The profile's own override comes before profile.default's.
        assert_eq!(
            thorough.timeout(&arm("uboot::boots")),
            Some(Duration::from_secs(10))
        );
        assert_eq!(thorough.priority(&arm("uboot::boots")), 50);
    }

    #[test]
    fn a_broken_filterset_is_an_error_that_names_it() {
        let graph = package_graph(&workspace_root()).unwrap();
        let text = "[profile.default]\ndefault-filter = \"test(/^a/) &\"\n";
        let err = Profile::parse(graph, text, "default").err().unwrap();
        assert!(format!("{err:#}").contains("test(/^a/) &"), "{err:#}");
    }

    #[test]
    fn the_projects_nextest_toml_is_understood() {
        for name in ["default", "quick", "thorough", "ci"] {
            Profile::load(name).unwrap();
        }
    }

    #[test]
    fn cargo_run_variables_are_not_passed_on() {
        assert!(is_set_by_cargo_run("CARGO_PKG_NAME"));
        assert!(is_set_by_cargo_run("CARGO_MANIFEST_DIR"));
        assert!(!is_set_by_cargo_run("CARGO_HOME"));
        assert!(!is_set_by_cargo_run("CARGO_TARGET_DIR"));
    }
}
