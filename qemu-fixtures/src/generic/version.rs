//! Port of QEMU's tests/functional/generic/test_version.py: QMP `query-version` gives integer versions, which agree with the binary's `--version`.

use std::process::Command;

use serde_json::Value;

use crate::ensure;
use crate::harness::{Machine, TestError, TestResult};

/// QMP `query-version` gives integer major, minor and micro versions,
/// which agree with `qemu-system-* --version`.
pub fn qmp_query_version(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.arg("-nodefaults").launch()?;
    let version = vm.cmd("query-version", Value::Null)?;
    let qemu = &version["qemu"];
    let (Some(major), Some(minor), Some(micro)) = (
        qemu["major"].as_u64(),
        qemu["minor"].as_u64(),
        qemu["micro"].as_u64(),
    ) else {
        return Err(TestError::check(format!(
            "query-version has no integer major, minor and micro: {version}"
        )));
    };
    let package = version["package"].as_str().unwrap_or_default();
    let binary = vm.binary()?.to_path_buf();
    let cli = Command::new(&binary)
        .arg("--version")
        .output()
        .map_err(|err| TestError::io(format!("running {} --version", binary.display()), err))?;
    let stdout = String::from_utf8_lossy(&cli.stdout);
    let first = stdout.lines().next().unwrap_or_default();
    // --version adds the package version in parentheses, when there is one.
    let expected = match package.trim() {
        "" => format!("QEMU emulator version {major}.{minor}.{micro}"),
        package => format!("QEMU emulator version {major}.{minor}.{micro} ({package})"),
    };
    ensure!(
        first == expected,
        "--version says {first:?}, QMP says {expected:?}"
    );
    Ok(())
}
