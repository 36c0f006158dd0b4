//! A machine's migration state description (`-dump-vmstate`) and QEMU's `scripts/vmstate-static-checker.py`, which compares two of them, from QEMU's source tree.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{Machine, Skip, TestError};

/// Dumps the vmstate of `vm`'s machine (`set_machine` first) to
/// `dest.json` in scratch, as upstream's `test_vmstate.py`: QEMU runs with
/// `-nodefaults -M <machine> -dump-vmstate <file>` and exits. Its output
/// goes to base.log; an exit other than 0 is a failure.
pub fn dump_vmstate(vm: &Machine) -> Result<PathBuf, TestError> {
    let machine = vm
        .machine()
        .ok_or_else(|| TestError::check("dump_vmstate needs set_machine first"))?;
    let binary = vm.binary()?;
    let dump = vm.env().scratch_file(["dest.json"]);
    vm.env()
        .log(format_args!("dumping vmstate from {}", binary.display()));
    let output = Command::new(binary)
        .args(["-nodefaults", "-M", machine, "-dump-vmstate"])
        .arg(&dump)
        .output()
        .map_err(|err| TestError::io(format!("running {}", binary.display()), err))?;
    let text = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    if !text.is_empty() {
        vm.env().log(format_args!("QEMU output: {text}"));
    }
    if !output.status.success() {
        return Err(TestError::check(format!(
            "{} -M {machine} -dump-vmstate {}: {}: {text}",
            binary.display(),
            dump.display(),
            output.status
        )));
    }
    Ok(dump)
}

/// What `vmstate-static-checker.py -s <source> -d <dest>` said: its exit
/// code and its output (stdout and stderr together).
pub struct CheckerReport {
    pub code: Option<i32>,
    pub output: String,
}

/// Runs QEMU's `scripts/vmstate-static-checker.py` from the source tree
/// on two dumps; a skip when the source tree does not provide it.
pub fn static_checker(source: &Path, dest: &Path) -> Result<CheckerReport, TestError> {
    let script = source_file(["scripts", "vmstate-static-checker.py"])?;
    let output = Command::new(&script)
        .arg("-s")
        .arg(source)
        .arg("-d")
        .arg(dest)
        .output()
        .map_err(|err| TestError::io(format!("running {}", script.display()), err))?;
    Ok(CheckerReport {
        code: output.status.code(),
        output: String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    })
}

/// A file of QEMU's source tree: under `QEMU_SOURCE_ROOT`, else the source
/// directory that the meson build tree of `QEMU_BUILD_ROOT` names in
/// `meson-info/meson-info.json`. A skip saying which is missing when
/// neither provides the file.
pub fn source_file<I, S>(parts: I) -> Result<PathBuf, Skip>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    source_path(parts, Path::is_file)
}

/// A directory of QEMU's source tree (acpi-bits' test scripts), found as
/// [`source_file`] finds a file.
pub fn source_dir<I, S>(parts: I) -> Result<PathBuf, Skip>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    source_path(parts, Path::is_dir)
}

fn source_path<I, S>(parts: I, exists: fn(&Path) -> bool) -> Result<PathBuf, Skip>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let relative: PathBuf = parts
        .into_iter()
        .map(|part| PathBuf::from(part.as_ref()))
        .collect();
    let Some(root) = source_root() else {
        return Err(Skip::new(format!(
            "needs {} from QEMU's source tree: set QEMU_SOURCE_ROOT (or QEMU_BUILD_ROOT to a meson build tree of QEMU)",
            relative.display()
        )));
    };
    let path = root.join(&relative);
    if exists(&path) {
        Ok(path)
    } else {
        Err(Skip::new(format!(
            "QEMU's source tree {} has no {}",
            root.display(),
            relative.display()
        )))
    }
}

fn source_root() -> Option<PathBuf> {
    let set = |name| std::env::var_os(name).filter(|value: &std::ffi::OsString| !value.is_empty());
    if let Some(root) = set("QEMU_SOURCE_ROOT") {
        return Some(root.into());
    }
    let info = PathBuf::from(set("QEMU_BUILD_ROOT")?)
        .join("meson-info")
        .join("meson-info.json");
    let info: serde_json::Value = serde_json::from_slice(&std::fs::read(info).ok()?).ok()?;
    info["directories"]["source"].as_str().map(PathBuf::from)
}
