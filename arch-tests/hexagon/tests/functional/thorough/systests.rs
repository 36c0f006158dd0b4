//! Port of QEMU's tests/functional/hexagon/test_systests.py: Qualcomm's standalone system tests (semihosted file I/O, timers, MMU, HVX) exit 0 on the sim machine, and semihosting prints PASS.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use qemu_fixtures::prelude::*;

#[asset]
static TARBALL: Asset = Asset::new(
    "https://github.com/qualcomm/qemu-hexagon-testing/releases/download/v0.2.14/systests_standalone.tar.gz",
    "f0c535d746384126954757b6ce54452c5fe82624618c79862495eec24718a6ff",
);

const TARBALL_BIN_PATH: [&str; 3] = [
    "systests_standalone_package",
    "StandaloneSysTests_6.4.0.2_v68",
    "bin",
];

/// Upstream's `setUp`, before each test: the binary check of
/// `QemuSystemTest.setUp`, then the tarball, extracted.
fn set_up(vm: &Machine) -> Result<PathBuf, TestError> {
    vm.binary()?;
    vm.env().archive_extract_all(&TARBALL)
}

/// Upstream's `binary`: a test program of the tarball, which must exist.
fn binary(root: &Path, name: &str) -> Result<PathBuf, TestError> {
    let path = TARBALL_BIN_PATH
        .iter()
        .fold(root.to_path_buf(), |path, part| path.join(part))
        .join(name);
    ensure!(path.exists(), "{} is not in the tarball", path.display());
    Ok(path)
}

/// Upstream's `run_exit_zero`: runs `binary_name` with the `extra_args`
/// pairs; QEMU must exit with code 0.
fn run_exit_zero(
    vm: &mut Machine,
    root: &Path,
    binary_name: &str,
    extra_args: &[&str],
) -> TestResult {
    vm.set_machine("sim")?;
    vm.set_vm_arg("-display", "none");
    vm.set_vm_arg("-kernel", binary(root, binary_name)?);
    for pair in extra_args.chunks_exact(2) {
        vm.set_vm_arg(pair[0], pair[1]);
    }
    // Upstream sets no console here.
    vm.disable_console();
    vm.launch()?;
    let exit = vm.wait_exit()?;
    ensure!(
        exit.code() == Some(0),
        "Test {binary_name} exited with {exit:?}, expected 0"
    );
    Ok(())
}

/// Upstream's `run_console_pattern`: the semihosting console carries
/// `pattern`.
fn run_console_pattern(
    vm: &mut Machine,
    root: &Path,
    binary_name: &str,
    pattern: &str,
    extra_args: &[&str],
) -> TestResult {
    vm.set_machine("sim")?;
    vm.set_vm_arg("-display", "none");
    vm.set_vm_arg("-kernel", binary(root, binary_name)?);
    for pair in extra_args.chunks_exact(2) {
        vm.set_vm_arg(pair[0], pair[1]);
    }
    // Python's set_console(semihosting=True): semihosting output goes to
    // the console chardev.
    vm.set_console()
        .args(["-semihosting-config", "enable=on,chardev=console"]);
    vm.launch()?;
    vm.console().wait_for(pattern)?;
    vm.kill();
    Ok(())
}

/// A test file holding `valid\n`, as upstream writes them.
fn write_valid(path: &Path) -> TestResult {
    std::fs::write(path, "valid\n")
        .map_err(|err| TestError::io(format!("writing {}", path.display()), err))
}

#[qemu_test]
fn fopen(mut vm: Machine) -> TestResult {
    let root = set_up(&vm)?;
    // The fopen binary has a short cmdline buffer; use a short path.
    let dummy = std::env::temp_dir().join("qemu_fopen_test.so");
    write_valid(&dummy)?;
    run_exit_zero(
        &mut vm,
        &root,
        "fopen",
        &["-append", &dummy.to_string_lossy()],
    )
}

#[qemu_test]
fn ftrunc(mut vm: Machine) -> TestResult {
    let root = set_up(&vm)?;
    let ftrunc_path = vm.env().scratch_file(["_testfile_ftrunc"]);
    write_valid(&ftrunc_path)?;
    // Upstream sleeps 1 s so the mtime change is observable; dating the
    // file back does the same without the wait.
    std::fs::File::options()
        .write(true)
        .open(&ftrunc_path)
        .and_then(|file| file.set_modified(SystemTime::now() - Duration::from_secs(2)))
        .map_err(|err| TestError::io("dating _testfile_ftrunc back", err))?;
    run_exit_zero(
        &mut vm,
        &root,
        "ftrunc",
        &["-append", &ftrunc_path.to_string_lossy()],
    )?;
    let size = std::fs::metadata(&ftrunc_path)
        .map_err(|err| TestError::io("reading _testfile_ftrunc", err))?
        .len();
    ensure!(
        size == 1,
        "_testfile_ftrunc should be 1 byte after ftrunc, is {size}"
    );
    Ok(())
}

#[qemu_test]
fn access(mut vm: Machine) -> TestResult {
    let root = set_up(&vm)?;
    let testfile = vm.env().scratch_file(["_testfile_access"]);
    write_valid(&testfile)?;
    run_exit_zero(
        &mut vm,
        &root,
        "access",
        &["-append", &testfile.to_string_lossy()],
    )
}

#[qemu_test]
fn semihost(mut vm: Machine) -> TestResult {
    let root = set_up(&vm)?;
    run_console_pattern(
        &mut vm,
        &root,
        "semihost",
        "PASS",
        &["-append", "arg1", "arg2"],
    )
}

#[qemu_test]
fn dtg_interrupt(mut vm: Machine) -> TestResult {
    let root = set_up(&vm)?;
    run_exit_zero(&mut vm, &root, "dtg_interrupt", &[])
}

#[qemu_test]
fn mmu_multi_tlb(mut vm: Machine) -> TestResult {
    let root = set_up(&vm)?;
    run_exit_zero(&mut vm, &root, "mmu_multi_tlb", &[])
}

#[qemu_test]
fn timer_reg(mut vm: Machine) -> TestResult {
    let root = set_up(&vm)?;
    run_exit_zero(&mut vm, &root, "timer_reg", &[])
}

#[qemu_test]
fn hvx_multi(mut vm: Machine) -> TestResult {
    let root = set_up(&vm)?;
    run_exit_zero(&mut vm, &root, "hvx-multi", &[])
}

#[qemu_test]
fn standalone_vec(mut vm: Machine) -> TestResult {
    let root = set_up(&vm)?;
    run_exit_zero(&mut vm, &root, "standalone_vec", &[])
}
