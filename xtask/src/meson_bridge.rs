//! `cargo xtask meson-bridge`: a `meson.build` that QEMU's build tree
//! `subdir()`s to run our tests as its own tests/functional/meson.build runs
//! the Python ones: one meson test per test module of each configured
//! target, against that build's emulator, rebuilt by cargo before it runs.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use crate::flags::{MesonBridge, Precache};
use crate::nextest::{Binary, Profile, TestQuery, cargo, without_cargo_run_env, workspace_root};

/// What the generated build step writes: the test binary of each package.
pub const MANIFEST_KEY: &str = "binaries";

impl MesonBridge {
    pub fn run(self) -> anyhow::Result<()> {
        let workspace = match &self.workspace {
            Some(dir) => std::fs::canonicalize(dir)
                .with_context(|| format!("no workspace at {}", dir.display()))?,
            None => workspace_root(),
        };
        if self.precache {
            return precache(&workspace, self.package);
        }
        if let Some(manifest) = &self.refresh {
            return refresh(
                &workspace,
                &self.expect,
                self.ignored,
                manifest,
                self.out.as_deref(),
            );
        }
        let binaries = build(&workspace, None, self.ignored)?;
        let config = Profile::load_in(&workspace, "quick")?;
        let runner = match &self.runner {
            Some(runner) => std::fs::canonicalize(runner)
                .with_context(|| format!("no runner at {}", runner.display()))?,
            // cargo may have relinked xtask while it ran: the path stays.
            None => PathBuf::from(
                std::env::current_exe()?
                    .to_string_lossy()
                    .trim_end_matches(" (deleted)"),
            ),
        };
        let modules = collect_modules(&binaries, &config);
        let text = render(&modules, &runner, &workspace, self.ignored);
        let out = self
            .out
            .unwrap_or_else(|| qemu_fixtures::harness::testenv::target_dir().join("meson-bridge"));
        std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
        let file = out.join("meson.build");
        std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?;
        println!("{}: {} meson tests", file.display(), modules.len());
        Ok(())
    }
}

/// One meson test: a test module of one binary.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    pub arch: String,
    pub package: String,
    /// Its path in the test binary: `uboot`, `thorough::aspeed_ast2500`.
    pub name: String,
    /// Its meson test's name after `func-<arch>-`: the file's name, as
    /// QEMU's own meson.build names it (`aspeed_ast2500`), with the speed
    /// class kept only where a module of ours has the same name.
    pub meson_name: String,
    pub tests: usize,
    pub quick: bool,
    /// Seconds: the sum of its tests' nextest timeouts, as the runner runs
    /// them one after the other.
    pub timeout: u64,
    /// The highest nextest priority of its tests.
    pub priority: i64,
}

/// The tests of a binary (`--ignored`: only its ignored ones), by name.
pub fn list_tests(binary: &Path, ignored: bool) -> anyhow::Result<Vec<String>> {
    let mut command = Command::new(binary);
    without_cargo_run_env(&mut command).args(["--list", "--format", "terse"]);
    if ignored {
        command.arg("--ignored");
    }
    let output = command
        .output()
        .with_context(|| format!("listing the tests of {}", binary.display()))?;
    if !output.status.success() {
        bail!(
            "{} --list failed: {}",
            binary.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut tests: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect();
    tests.sort();
    Ok(tests)
}

/// The binary the build step wrote for `package` into `manifest`.
pub fn binary_from_manifest(manifest: &Path, package: &str) -> anyhow::Result<PathBuf> {
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not JSON", manifest.display()))?;
    json[MANIFEST_KEY][package]
        .as_str()
        .map(PathBuf::from)
        .with_context(|| format!("{} has no test binary of {package}", manifest.display()))
}

pub fn collect_modules(binaries: &[Binary], config: &Profile) -> Vec<Module> {
    let mut modules: BTreeMap<(String, String), Module> = BTreeMap::new();
    for binary in binaries {
        let arch = arch_of(&binary.package);
        for (test, _) in &binary.tests {
            let Some(module_name) = module_of(test) else {
                continue;
            };
            let query = TestQuery {
                package: &binary.package,
                binary_id: &binary.binary_id,
                test,
            };
            let module = modules
                .entry((arch.clone(), module_name.to_owned()))
                .or_insert_with(|| Module {
                    arch: arch.clone(),
                    package: binary.package.clone(),
                    name: module_name.to_owned(),
                    meson_name: module_name.to_owned(),
                    tests: 0,
                    quick: true,
                    timeout: 0,
                    priority: i64::MIN,
                });
            module.tests += 1;
            module.quick &= config.runs_by_default(&query);
            // meson has no "never": a test nextest never kills gets an hour.
            module.timeout += config.timeout(&query).map_or(3600, |t| t.as_secs());
            module.priority = module.priority.max(config.priority(&query));
        }
    }
    let mut modules: Vec<Module> = modules.into_values().collect();
    name_for_meson(&mut modules);
    modules
}

/// Sets each module's `meson_name`: the file's name without its speed
/// class, unless another module of the target has that name.
fn name_for_meson(modules: &mut [Module]) {
    let taken: BTreeSet<(String, String)> = modules
        .iter()
        .map(|m| (m.arch.clone(), m.name.clone()))
        .collect();
    for module in modules {
        module.meson_name = match module.name.split_once("::") {
            Some((_, file)) if !taken.contains(&(module.arch.clone(), file.to_owned())) => {
                file.to_owned()
            }
            _ => module.name.replace("::", "-"),
        };
    }
}

/// The module a test belongs to: its first path segment, or the first two
/// for a test of a crate's `quick/` or `thorough/` folder.
pub fn module_of(test: &str) -> Option<&str> {
    let (first, rest) = test.split_once("::")?;
    match first {
        "quick" | "thorough" => {
            let (second, _) = rest.split_once("::")?;
            Some(&test[..first.len() + 2 + second.len()])
        }
        _ => Some(first),
    }
}

/// The meson.build text: the same modules give the same bytes.
pub fn render(modules: &[Module], runner: &Path, workspace: &Path, ignored: bool) -> String {
    let mut out = String::new();
    let workspace = workspace.display().to_string();
    let _ = writeln!(
        out,
        "# Generated by `cargo xtask meson-bridge` from {workspace}: do not edit.\n\
         #\n\
         # QEMU's tests/functional/meson.build for the Rust tests of that workspace.\n\
         # subdir() it from QEMU's tests/meson.build (or from any project shaped like\n\
         # QEMU's top level: option tcg_interpreter, target_dirs, emulators). As in\n\
         # QEMU's own file:\n\
         #  - tests exist only for the system targets of target_dirs, each run against\n\
         #    emulators['qemu-system-<arch>'] of this build, never a QEMU on PATH;\n\
         #  - each test depends on its emulator and on test_deps, roms, keymap_targets,\n\
         #    qemu_img, emulator_modules and plugin_modules (those the build defines),\n\
         #    so `meson test` builds them first;\n\
         #  - suites: func-quick and func-<arch> (quick modules only), func-thorough,\n\
         #    func-<arch>-thorough and thorough (the others);\n\
         #  - nothing runs in a TCI build (tcg_interpreter).\n\
         # The workspace is found by the path above, written here by the generator.\n\
         # Before a test runs, the build step functional-rs-binaries runs cargo in it\n\
         # (`xtask meson-bridge --refresh`), so a changed test source is rebuilt; when\n\
         # tests were added or removed that step fails, saying to regenerate this file:\n\
         #     cargo xtask meson-bridge --out <this directory>\n\
         # `meson test -t N` gives each module N times its time and each test in it N\n\
         # times its nextest timeout: `xtask tap` reads -t from the command line of the\n\
         # `meson test` that started it; when meson kills a module, the running test is\n\
         # stopped with SIGTERM and still reported.\n\
         #     meson test --suite func-quick   (or func-thorough, func-<arch>, func-<arch>-thorough)\n\
         #     ninja precache-functional-rs    (fetch the assets of the configured targets)\n"
    );
    let _ = writeln!(
        out,
        "# Most tests run too slow with TCI enabled: QEMU's own file skips them there.\n\
         if get_option('tcg_interpreter')\n  subdir_done()\nendif\n\n\
         foreach qf_needed : ['target_dirs', 'emulators']\n  \
           if not is_variable(qf_needed)\n    \
             error('functional-rs runs inside QEMU\\'s build: its top-level meson.build defines ' + qf_needed)\n  \
           endif\n\
         endforeach\n"
    );
    let _ = writeln!(out, "qf_workspace = {}", quote(&workspace));
    let _ = writeln!(
        out,
        "qf_runner = find_program({})\n",
        quote(&runner.display().to_string())
    );
    // What the build step checks: the modules this file defines tests for.
    let mut by_arch: BTreeMap<&str, Vec<&Module>> = BTreeMap::new();
    for module in modules {
        by_arch.entry(&module.arch).or_default().push(module);
    }
    let _ = writeln!(
        out,
        "# The test modules of each target when this file was generated.\nqf_expected = {{"
    );
    for (arch, modules) in &by_arch {
        let names: Vec<String> = modules
            .iter()
            .map(|module| quote(&format!("{}::{}", module.package, module.name)))
            .collect();
        let _ = writeln!(out, "  {}: [{}],", quote(arch), names.join(", "));
    }
    let _ = writeln!(out, "}}\n");
    let ignored_arg = if ignored { ", '--ignored'" } else { "" };
    let _ = writeln!(
        out,
        "qf_refresh = [qf_runner, 'meson-bridge', '--workspace', qf_workspace,\n              \
           '--out', meson.current_source_dir(), '--refresh', '@OUTPUT@'{ignored_arg}]\n\
         qf_precache = [qf_runner, 'meson-bridge', '--workspace', qf_workspace, '--precache']\n\
         foreach qf_dir : target_dirs\n  \
           qf_arch = qf_dir.split('-')[0]\n  \
           if qf_dir.endswith('-softmmu') and qf_expected.has_key(qf_arch)\n    \
             foreach qf_module : qf_expected[qf_arch]\n      \
               qf_refresh += ['--expect', qf_module]\n    \
             endforeach\n    \
             qf_precache += ['--package', qf_expected[qf_arch][0].split('::')[0]]\n  \
           endif\n\
         endforeach\n\n\
         # cargo decides what is stale, so this step always runs before the tests.\n\
         qf_binaries = custom_target('functional-rs-binaries',\n                             \
           output: 'functional-rs-binaries.json',\n                             \
           command: qf_refresh,\n                             \
           build_always_stale: true,\n                             \
           build_by_default: false,\n                             \
           console: true)\n\n\
         # What QEMU's file makes its tests depend on, where this build defines it.\n\
         qf_deps = [qf_binaries]\n\
         foreach qf_name : ['test_deps', 'roms', 'keymap_targets', 'emulator_modules', 'plugin_modules']\n  \
           if is_variable(qf_name)\n    \
             qf_deps += [get_variable(qf_name)]\n  \
           endif\n\
         endforeach\n\
         qf_have_img = is_variable('have_tools') and is_variable('qemu_img')\n\
         if qf_have_img\n  \
           qf_have_img = have_tools\n\
         endif\n\
         if qf_have_img\n  \
           qf_deps += [qemu_img]\n\
         endif\n"
    );
    for (arch, modules) in &by_arch {
        let var = env_var(arch);
        let _ = writeln!(
            out,
            "if '{arch}-softmmu' in target_dirs\n  \
               qf_emulator = emulators['qemu-system-{arch}']\n  \
               {var} = environment()\n  \
               {var}.set('QEMU_BUILD_ROOT', meson.project_build_root())\n  \
               {var}.set('QEMU_TEST_QEMU_BINARY', qf_emulator.full_path())\n  \
               if qf_have_img\n    \
                 {var}.set('QEMU_TEST_QEMU_IMG', meson.global_build_root() / 'qemu-img')\n  \
               endif\n"
        );
        for module in modules {
            let suites: Vec<String> = if module.quick {
                vec!["func-quick".into(), format!("func-{arch}")]
            } else {
                vec![
                    "func-thorough".into(),
                    format!("func-{arch}-thorough"),
                    "thorough".into(),
                ]
            };
            let mut args = vec![
                "'tap'".to_owned(),
                "'--manifest'".to_owned(),
                "qf_binaries.full_path()".to_owned(),
                "'--workspace'".to_owned(),
                "qf_workspace".to_owned(),
                "'--package'".to_owned(),
                quote(&module.package),
                "'--module'".to_owned(),
                quote(&module.name),
            ];
            if ignored {
                args.push("'--ignored'".to_owned());
            }
            let _ = writeln!(
                out,
                "  test({name},\n       qf_runner,\n       args: [{args}],\n       \
                 depends: [qf_deps, qf_emulator],\n       env: {var},\n       \
                 protocol: 'tap',\n       timeout: {timeout},\n       \
                 priority: {priority},\n       suite: [{suites}])",
                name = quote(&format!("func-{arch}-{}", module.meson_name)),
                args = args.join(", "),
                timeout = meson_timeout(module),
                priority = module.priority,
                suites = suites
                    .iter()
                    .map(|suite| quote(suite))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        let _ = writeln!(out, "endif\n");
    }
    let _ = writeln!(
        out,
        "run_target('precache-functional-rs',\n           command: qf_precache)"
    );
    out
}

/// meson's timeout of a module: its tests' timeouts in a row, plus the
/// runner's own start and the 10 s grace it gives a test it stopped, so that
/// the runner, not meson, kills a hung test and reports it.
fn meson_timeout(module: &Module) -> u64 {
    module.timeout + 30
}

/// `arch-arm` is arm; a package that is not an arch crate tests the host.
fn arch_of(package: &str) -> String {
    package
        .strip_prefix("arch-")
        .unwrap_or(std::env::consts::ARCH)
        .to_owned()
}

/// The `functional` test binaries of `packages` (all the workspace's when
/// `None`), built by cargo in `workspace`, with their tests.
fn build(
    workspace: &Path,
    packages: Option<&[String]>,
    ignored: bool,
) -> anyhow::Result<Vec<Binary>> {
    let mut command = cargo();
    command
        .current_dir(workspace)
        .args([
            "test",
            "--no-run",
            "--message-format",
            "json-render-diagnostics",
        ])
        .args(["--test", "functional"])
        .stderr(Stdio::inherit());
    match packages {
        Some(packages) => {
            for package in packages {
                command.args(["-p", package]);
            }
        }
        None => {
            command.arg("--workspace");
        }
    }
    let output = command
        .output()
        .with_context(|| format!("running cargo test --no-run in {}", workspace.display()))?;
    if !output.status.success() {
        bail!(
            "cargo test --no-run --test functional failed in {}",
            workspace.display()
        );
    }
    let mut binaries = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let (Some(executable), Some(id)) = (
            message["executable"].as_str(),
            message["package_id"].as_str(),
        ) else {
            continue;
        };
        if message["target"]["name"] != "functional" {
            continue;
        }
        let package = package_name(id);
        let path = PathBuf::from(executable);
        binaries.push(Binary {
            binary_id: format!("{package}::functional"),
            tests: list_tests(&path, ignored)?
                .into_iter()
                .map(|test| (test, true))
                .collect(),
            package,
            path,
        });
    }
    binaries.sort_by(|a, b| a.package.cmp(&b.package));
    Ok(binaries)
}

/// The package name in a cargo package id: `path+file:///a/arch-arm#0.1.0`,
/// `path+file:///a/arm#arch-arm@0.1.0` or `arch-arm 0.1.0 (path+file:///a)`.
fn package_name(id: &str) -> String {
    match id.split_once('#') {
        Some((_, fragment)) if fragment.contains('@') => {
            fragment.split('@').next().unwrap_or(fragment).to_owned()
        }
        Some((url, _)) => url.rsplit('/').next().unwrap_or(url).to_owned(),
        None => id.split(' ').next().unwrap_or(id).to_owned(),
    }
}

/// The build step: cargo builds the expected modules' packages; their
/// binaries go to `manifest`, unless the modules changed.
fn refresh(
    workspace: &Path,
    expect: &[String],
    ignored: bool,
    manifest: &Path,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for spec in expect {
        let (package, module) = spec
            .split_once("::")
            .with_context(|| format!("--expect takes PACKAGE::MODULE, not {spec}"))?;
        expected
            .entry(package.to_owned())
            .or_default()
            .insert(module.to_owned());
    }
    let packages: Vec<String> = expected.keys().cloned().collect();
    let binaries = if packages.is_empty() {
        Vec::new()
    } else {
        build(workspace, Some(&packages), ignored)?
    };
    let mut paths = serde_json::Map::new();
    let mut changes = Vec::new();
    for (package, modules) in &expected {
        let Some(binary) = binaries.iter().find(|binary| &binary.package == package) else {
            bail!("cargo built no `functional` test binary for {package}");
        };
        let built: BTreeSet<String> = binary
            .tests
            .iter()
            .filter_map(|(test, _)| module_of(test).map(str::to_owned))
            .collect();
        for added in built.difference(modules) {
            changes.push(format!("{package}::{added} is new"));
        }
        for gone in modules.difference(&built) {
            changes.push(format!("{package}::{gone} is gone"));
        }
        paths.insert(package.clone(), binary.path.display().to_string().into());
    }
    if !changes.is_empty() {
        let dir = out.map_or("<its directory>".to_owned(), |dir| {
            dir.display().to_string()
        });
        bail!(
            "the tests changed since {dir}/meson.build was generated ({}): regenerate it with \
             `cargo xtask meson-bridge --out {dir}` in {}",
            changes.join(", "),
            workspace.display()
        );
    }
    let json = serde_json::json!({ MANIFEST_KEY: paths });
    std::fs::write(manifest, format!("{json:#}\n"))
        .with_context(|| format!("writing {}", manifest.display()))
}

/// `ninja precache-functional-rs`: runs where the workspace is, whatever
/// directory ninja runs it from.
fn precache(workspace: &Path, packages: Vec<String>) -> anyhow::Result<()> {
    if packages.is_empty() {
        println!("precache: no configured target has tests here");
        return Ok(());
    }
    std::env::set_current_dir(workspace)
        .with_context(|| format!("entering {}", workspace.display()))?;
    Precache {
        package: packages,
        jobs: 4,
        mirror: None,
    }
    .run()
}

fn env_var(arch: &str) -> String {
    format!(
        "qf_env_{}",
        arch.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    )
}

/// A meson string literal.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modules() -> Vec<Module> {
        vec![
            Module {
                arch: "arm".into(),
                package: "arch-arm".into(),
                name: "thorough::canona1100".into(),
                meson_name: "canona1100".into(),
                tests: 1,
                quick: false,
                timeout: 90,
                priority: 60,
            },
            Module {
                arch: "arm".into(),
                package: "arch-arm".into(),
                name: "uboot".into(),
                meson_name: "uboot".into(),
                tests: 1,
                quick: true,
                timeout: 60,
                priority: 50,
            },
            Module {
                arch: "x86_64".into(),
                package: "arch-x86_64".into(),
                name: "version".into(),
                meson_name: "version".into(),
                tests: 1,
                quick: true,
                timeout: 120,
                priority: 0,
            },
        ]
    }

    #[test]
    fn ported_files_are_modules_named_as_qemu_names_them() {
        assert_eq!(
            module_of("thorough::aspeed_ast2500::arm_ast2500_evb_buildroot"),
            Some("thorough::aspeed_ast2500")
        );
        assert_eq!(
            module_of("quick::_74xx::ppc_750cx::case_1"),
            Some("quick::_74xx")
        );
        assert_eq!(module_of("uboot::answers_version"), Some("uboot"));
        assert_eq!(module_of("lonely"), None);
        let mut modules = modules();
        modules.push(Module {
            name: "quick::version".into(),
            meson_name: String::new(),
            ..modules[2].clone()
        });
        name_for_meson(&mut modules);
        let names: Vec<&str> = modules.iter().map(|m| m.meson_name.as_str()).collect();
        // x86_64 has a module `version` of its own: the port keeps its class.
        assert_eq!(names, ["canona1100", "uboot", "version", "quick-version"]);
    }

    fn text() -> String {
        render(
            &modules(),
            Path::new("/t/xtask"),
            Path::new("/w/space"),
            false,
        )
    }

    /// The lines of the test() call of `name`.
    fn test_call(text: &str, name: &str) -> String {
        let call = text
            .split(&format!("test('{name}'"))
            .nth(1)
            .unwrap_or_else(|| panic!("no test {name} in:\n{text}"));
        call[..call.find("])\n").unwrap() + 2].to_owned()
    }

    /// The text of the block that only a build configured for `arch` runs.
    fn arch_block(text: &str, arch: &str) -> String {
        let block = text
            .split(&format!("if '{arch}-softmmu' in target_dirs\n"))
            .nth(1)
            .unwrap_or_else(|| panic!("no block for {arch}"));
        block[..block.find("\nendif\n").unwrap()].to_owned()
    }

    #[test]
    fn tests_exist_only_for_configured_targets_against_their_emulator() {
        let text = text();
        let arm = arch_block(&text, "arm");
        assert!(arm.contains("qf_emulator = emulators['qemu-system-arm']"));
        assert!(arm.contains("qf_env_arm.set('QEMU_TEST_QEMU_BINARY', qf_emulator.full_path())"));
        assert!(
            arm.contains("test('func-arm-canona1100'") && arm.contains("test('func-arm-uboot'")
        );
        assert!(!arm.contains("x86_64"), "{arm}");
        assert!(arch_block(&text, "x86_64").contains("test('func-x86_64-version'"));
        // No QEMU from PATH or a guessed path: only the build's emulators.
        assert!(!text.contains("find_program('qemu"), "{text}");
        assert!(!text.contains("fs.exists"), "{text}");
        assert!(text.contains("if not is_variable(qf_needed)"));
    }

    #[test]
    fn tests_depend_on_the_build_and_on_cargo_through_the_workspace() {
        let text = text();
        let uboot = test_call(&text, "func-arm-uboot");
        assert!(uboot.contains("depends: [qf_deps, qf_emulator]"), "{uboot}");
        assert!(
            uboot.contains("'--manifest', qf_binaries.full_path(), '--workspace', qf_workspace"),
            "the binary comes from the build step, not a path written here: {uboot}"
        );
        assert!(
            !text.contains("/t/functional"),
            "no test binary path is written"
        );
        for dep in [
            "'test_deps', 'roms', 'keymap_targets', 'emulator_modules', 'plugin_modules'",
            "qf_deps = [qf_binaries]",
            "qf_deps += [qemu_img]",
            "build_always_stale: true",
            "qf_workspace = '/w/space'",
            "qf_refresh += ['--expect', qf_module]",
            "'--refresh', '@OUTPUT@'",
        ] {
            assert!(text.contains(dep), "no {dep} in:\n{text}");
        }
        assert!(text.contains("  'arm': ['arch-arm::thorough::canona1100', 'arch-arm::uboot'],"));
        assert!(text.contains("The workspace is found by the path above"));
    }

    #[test]
    fn suites_are_qemus_and_func_arch_is_quick_only() {
        let text = text();
        assert!(
            test_call(&text, "func-arm-canona1100")
                .contains("suite: ['func-thorough', 'func-arm-thorough', 'thorough'])")
        );
        assert!(test_call(&text, "func-arm-uboot").contains("suite: ['func-quick', 'func-arm'])"));
        let arm = arch_block(&text, "arm");
        for variable in [
            "QEMU_BUILD_ROOT",
            "QEMU_TEST_QEMU_BINARY",
            "QEMU_TEST_QEMU_IMG",
        ] {
            assert!(
                arm.contains(&format!("qf_env_arm.set('{variable}'")),
                "no {variable}"
            );
        }
        assert!(arm.contains("meson.global_build_root() / 'qemu-img'"));
    }

    #[test]
    fn meson_timeouts_leave_the_runner_room_to_report_a_hang() {
        let canon = test_call(&text(), "func-arm-canona1100");
        assert!(
            canon.contains("timeout: 120") && canon.contains("priority: 60"),
            "{canon}"
        );
        assert!(canon.contains("protocol: 'tap'"));
    }

    #[test]
    fn precache_runs_from_the_workspace_for_configured_targets() {
        let text = text();
        assert!(text.contains(
            "qf_precache = [qf_runner, 'meson-bridge', '--workspace', qf_workspace, '--precache']"
        ));
        assert!(
            text.contains("qf_precache += ['--package', qf_expected[qf_arch][0].split('::')[0]]")
        );
        assert!(
            text.contains("run_target('precache-functional-rs',\n           command: qf_precache)")
        );
    }

    #[test]
    fn a_tci_build_runs_nothing() {
        let text = text();
        let tci = text
            .find("if get_option('tcg_interpreter')\n  subdir_done()\nendif")
            .expect("the TCI opt-out");
        assert!(tci < text.find("test(").unwrap() && tci < text.find("custom_target(").unwrap());
    }

    #[test]
    fn the_same_modules_give_the_same_bytes() {
        assert_eq!(text(), text());
    }

    #[test]
    fn meson_strings_are_escaped() {
        assert_eq!(quote("it's"), r"'it\'s'");
    }

    #[test]
    fn package_names_come_out_of_every_package_id_form() {
        assert_eq!(package_name("path+file:///a/arch-arm#0.1.0"), "arch-arm");
        assert_eq!(
            package_name("path+file:///a/arm#arch-arm@0.1.0"),
            "arch-arm"
        );
        assert_eq!(
            package_name("arch-arm 0.1.0 (path+file:///a/arm)"),
            "arch-arm"
        );
    }
}
