//! `cargo xtask meson-bridge`: a `meson.build` that lets `meson test` run
//! our tests as QEMU's meson runs its Python ones: one meson test per test
//! module of each arch crate (`func-<arch>-<module>`), TAP so that every
//! test shows as a subtest and a skip as `# SKIP`, the suites QEMU uses,
//! and the timeouts and priorities of `.config/nextest.toml`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::flags::MesonBridge;
use crate::nextest::{Binary, Profile, TestQuery, arch_binaries, without_cargo_run_env};

impl MesonBridge {
    pub fn run(self) -> anyhow::Result<()> {
        let binaries = if self.binary.is_empty() {
            arch_binaries(&[])?
        } else {
            self.binary
                .iter()
                .map(|spec| {
                    let (package, path) = spec
                        .split_once('=')
                        .context("--binary takes PACKAGE=PATH")?;
                    let path = std::fs::canonicalize(path)
                        .with_context(|| format!("{path} does not exist"))?;
                    Ok(Binary {
                        package: package.to_owned(),
                        binary_id: format!("{package}::functional"),
                        tests: list_tests(&path, self.ignored)?
                            .into_iter()
                            .map(|test| (test, true))
                            .collect(),
                        path,
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?
        };
        let config = Profile::load("quick")?;
        let runner = match &self.runner {
            Some(runner) => runner.clone(),
            // cargo may have relinked xtask while it ran: the path stays.
            None => PathBuf::from(
                std::env::current_exe()?
                    .to_string_lossy()
                    .trim_end_matches(" (deleted)"),
            ),
        };
        let modules = collect_modules(&binaries, &config);
        let text = render(&modules, &runner, self.ignored);
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
    pub name: String,
    pub binary: PathBuf,
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

pub fn collect_modules(binaries: &[Binary], config: &Profile) -> Vec<Module> {
    let mut modules: BTreeMap<(String, String), Module> = BTreeMap::new();
    for binary in binaries {
        let arch = binary
            .package
            .strip_prefix("arch-")
            .unwrap_or(std::env::consts::ARCH)
            .to_owned();
        for (test, _) in &binary.tests {
            let Some((module_name, _)) = test.split_once("::") else {
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
                    binary: binary.path.clone(),
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
    modules.into_values().collect()
}

/// The meson.build text: the same modules give the same bytes.
pub fn render(modules: &[Module], runner: &Path, ignored: bool) -> String {
    let mut out = String::new();
    let root = crate::nextest::workspace_root();
    let _ = writeln!(
        out,
        "# Generated by `cargo xtask meson-bridge` from {}: do not edit.\n\
         # meson test runs the test binaries named below and builds nothing. Regenerate\n\
         # after changing the code, the tests or .config/nextest.toml; that also builds them:\n\
         #     cargo xtask meson-bridge --out <this directory>\n\
         # Then, in the meson project that has subdir() of this directory:\n\
         #     meson test --suite func-quick        (or func-thorough, func-<arch>, func-<arch>-thorough)\n\
         #     ninja precache-functional-rs         (fetch every declared asset first)\n",
        root.display()
    );
    let _ = writeln!(out, "qf_fs = import('fs')");
    let _ = writeln!(
        out,
        "qf_runner = find_program({})",
        quote(&runner.display().to_string())
    );
    let _ = writeln!(out, "qf_build_root = meson.project_build_root()\n");
    let archs: std::collections::BTreeSet<&str> = modules.iter().map(|m| m.arch.as_str()).collect();
    for arch in &archs {
        let var = env_var(arch);
        let emulator = format!("qemu-system-{arch}");
        let _ = writeln!(
            out,
            "{var} = environment()\n\
             {var}.set('QEMU_BUILD_ROOT', qf_build_root)\n\
             # The QEMU of the build tree, when this is one (a QEMU tree defines `emulators`).\n\
             if is_variable('emulators') and emulators.has_key('{emulator}')\n  \
               {var}.set('QEMU_TEST_QEMU_BINARY', emulators['{emulator}'].full_path())\n\
             elif qf_fs.exists(qf_build_root / '{emulator}')\n  \
               {var}.set('QEMU_TEST_QEMU_BINARY', qf_build_root / '{emulator}')\n\
             endif\n\
             if qf_fs.exists(qf_build_root / 'qemu-img')\n  \
               {var}.set('QEMU_TEST_QEMU_IMG', qf_build_root / 'qemu-img')\n\
             endif\n"
        );
    }
    for module in modules {
        let arch = &module.arch;
        let suites: Vec<String> = if module.quick {
            vec!["func".into(), "func-quick".into(), format!("func-{arch}")]
        } else {
            vec![
                "func".into(),
                "func-thorough".into(),
                format!("func-{arch}"),
                format!("func-{arch}-thorough"),
                "thorough".into(),
            ]
        };
        let mut args = vec![
            "tap".to_owned(),
            "--binary".to_owned(),
            module.binary.display().to_string(),
            "--package".to_owned(),
            module.package.clone(),
            "--module".to_owned(),
            module.name.clone(),
        ];
        if ignored {
            args.push("--ignored".to_owned());
        }
        let _ = writeln!(
            out,
            "test({name},\n     qf_runner,\n     args: [{args}],\n     env: {env},\n     protocol: 'tap',\n     timeout: {timeout},\n     priority: {priority},\n     suite: [{suites}])\n",
            name = quote(&format!("func-{arch}-{}", module.name)),
            args = args
                .iter()
                .map(|arg| quote(arg))
                .collect::<Vec<_>>()
                .join(", "),
            env = env_var(arch),
            timeout = module.timeout.max(30),
            priority = module.priority,
            suites = suites
                .iter()
                .map(|suite| quote(suite))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    let _ = writeln!(
        out,
        "run_target('precache-functional-rs',\n           command: [qf_runner, 'precache'])"
    );
    out
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
                name: "canon_a1100".into(),
                binary: "/t/functional-1".into(),
                tests: 1,
                quick: false,
                timeout: 90,
                priority: 60,
            },
            Module {
                arch: "arm".into(),
                package: "arch-arm".into(),
                name: "uboot".into(),
                binary: "/t/functional-1".into(),
                tests: 1,
                quick: true,
                timeout: 60,
                priority: 50,
            },
        ]
    }

    #[test]
    fn each_module_is_a_tap_test_with_its_suites_timeout_and_priority() {
        let text = render(&modules(), Path::new("/t/xtask"), false);
        let canon = text
            .split("test('func-arm-canon_a1100'")
            .nth(1)
            .expect("canon's test");
        let canon = &canon[..canon.find("\n\n").unwrap()];
        assert!(canon.contains("protocol: 'tap'"), "{canon}");
        assert!(
            canon.contains("timeout: 90") && canon.contains("priority: 60"),
            "{canon}"
        );
        assert!(
            canon.contains(
                "suite: ['func', 'func-thorough', 'func-arm', 'func-arm-thorough', 'thorough']"
            ),
            "{canon}"
        );
        assert!(
            canon.contains("'--module', 'canon_a1100'") && canon.contains("env: qf_env_arm"),
            "{canon}"
        );
        let uboot = text
            .split("test('func-arm-uboot'")
            .nth(1)
            .expect("uboot's test");
        assert!(
            uboot.contains("suite: ['func', 'func-quick', 'func-arm']"),
            "{uboot}"
        );
        for variable in [
            "QEMU_BUILD_ROOT",
            "QEMU_TEST_QEMU_BINARY",
            "QEMU_TEST_QEMU_IMG",
        ] {
            assert!(
                text.contains(&format!("qf_env_arm.set('{variable}'")),
                "no {variable}"
            );
        }
        assert!(text.contains("emulators['qemu-system-arm'].full_path()"));
        assert!(text.contains("run_target('precache-functional-rs'"));
        assert!(text.starts_with("# Generated by `cargo xtask meson-bridge`"));
    }

    #[test]
    fn the_same_modules_give_the_same_bytes() {
        let runner = Path::new("/t/xtask");
        assert_eq!(
            render(&modules(), runner, false),
            render(&modules(), runner, false)
        );
    }

    #[test]
    fn meson_strings_are_escaped() {
        assert_eq!(quote("it's"), r"'it\'s'");
    }
}
