//! Port of QEMU's tests/functional/x86_64/test_acpi_bits.py: biosbits (QEMU's fork, https://gitlab.com/qemu-project/biosbits-bits) runs upstream's ACPI and SMBIOS test scripts on the pc machine and reports no failure on its debug console.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use qemu_fixtures::guests::vmstate::{source_dir, source_file};
use qemu_fixtures::prelude::*;

/// In slower systems the test can take as long as 3 minutes to complete.
const BITS_TIMEOUT: Duration = Duration::from_secs(200);

// gitlab CI does shallow clones of depth 20
const BITS_INTERNAL_VER: u32 = 2020;
// commit hash must match the artifact tag below
const BITS_COMMIT_HASH: &str = "c7920d2b";

/// The `qemu-bits-10262023` tag's artifact: the latest bits release.
#[asset]
static ASSET_BITS: Asset = Asset::new(
    "https://gitlab.com/qemu-project/biosbits-bits/-/jobs/artifacts/qemu-bits-10262023/download?job=qemu-bits-build",
    "1b8dd612c6831a6b491716a77acc486666aaa867051cdc34f7ce169c2e25f487",
);

const DEBUGCON_ADDR: &str = "0x403";
const DEBUGCON_LOG: &str = "debugcon-log.txt";

/// The class decorators, then upstream's `setUp`: the prebuilt bits and
/// grub out of the artifact, upstream's scripts and config into bits, and
/// a fresh bits ISO.
fn set_up(env: &TestEnv) -> TestResult {
    skip::require_commands(&["xorriso", "mformat"]).map_err(|skip| {
        Skip::new(format!(
            "{}: install Debian's xorriso and mtools",
            skip.reason()
        ))
    })?;
    skip::require_host_machine(&["x86_64"])?;

    // extract the bits artifact in the temp working directory
    let prebuilt = env.archive_extract_as(&ASSET_BITS, Format::Zip, None)?;
    let name = format!("bits-{BITS_INTERNAL_VER}-{BITS_COMMIT_HASH}");
    // extract the bits software in the temp working directory
    env.archive_extract_file(&prebuilt.join(format!("{name}.zip")), None)?;
    env.archive_extract_file(&prebuilt.join(format!("{name}-grub.tar.gz")), None)?;

    copy_test_scripts(env)?;
    copy_bits_config(env)?;
    generate_bits_iso(env)
}

/// Copies the bios bits config file into bits.
fn copy_bits_config(env: &TestEnv) -> TestResult {
    let bits_config_file = source_file([
        "tests",
        "functional",
        "acpi-bits",
        "bits-config",
        "bits-cfg.txt",
    ])?;
    let target_config_dir = env.scratch_file([&bits_dir(), "boot"]);
    ensure!(
        target_config_dir.is_dir(),
        "bits has no {}",
        target_config_dir.display()
    );
    copy(&bits_config_file, &target_config_dir.join("bits-cfg.txt"))?;
    env.log(format_args!(
        "copied config file {} to {}",
        bits_config_file.display(),
        target_config_dir.display()
    ));
    Ok(())
}

/// Copies the python test scripts into bits.
fn copy_test_scripts(env: &TestEnv) -> TestResult {
    let bits_test_dir = source_dir(["tests", "functional", "acpi-bits", "bits-tests"])?;
    let target_test_dir = env.scratch_file([&bits_dir(), "boot", "python"]);
    ensure!(
        target_test_dir.is_dir(),
        "bits has no {}",
        target_test_dir.display()
    );

    let entries = std::fs::read_dir(&bits_test_dir)
        .map_err(|err| TestError::io(format!("listing {}", bits_test_dir.display()), err))?;
    for entry in entries {
        let path = entry
            .map_err(|err| TestError::io(format!("listing {}", bits_test_dir.display()), err))?
            .path();
        // All test scripts are named with extension .py2 so that they are
        // not run by accident: they are written for the python 2.7 inside
        // the test VM, not python 3.
        let (Some(stem), true) = (path.file_stem(), path.is_file()) else {
            continue;
        };
        if path.extension().is_none_or(|extension| extension != "py2") {
            continue;
        }
        let stem = stem.to_string_lossy();
        copy(&path, &target_test_dir.join(format!("{stem}.py")))?;
        env.log(format_args!(
            "copied test file {} to {}",
            path.display(),
            target_test_dir.display()
        ));

        // now remove the pyc test file if it exists, otherwise the
        // changes in the python test script won't be executed.
        let testfile_pyc = target_test_dir.join(format!("{stem}.pyc"));
        if testfile_pyc.exists() {
            std::fs::remove_file(&testfile_pyc).map_err(|err| {
                TestError::io(format!("removing {}", testfile_pyc.display()), err)
            })?;
            env.log(format_args!(
                "removed compiled file {}",
                testfile_pyc.display()
            ));
        }
    }
    Ok(())
}

/// grub-mkrescue is a bash script with two variables, `prefix` and
/// `libdir`. They must point to where the pre-built bits grub tarball was
/// extracted so that the ISO can be generated.
fn fix_mkrescue(env: &TestEnv, mkrescue: &Path) -> TestResult {
    let grub_x86_64_mods = env.scratch_file(["grub-inst-x86_64-efi"]);
    let grub_i386_mods = env.scratch_file(["grub-inst"]);
    ensure!(
        grub_x86_64_mods.exists(),
        "no {}",
        grub_x86_64_mods.display()
    );
    ensure!(grub_i386_mods.exists(), "no {}", grub_i386_mods.display());

    let orig_script = std::fs::read_to_string(mkrescue)
        .map_err(|err| TestError::io(format!("reading {}", mkrescue.display()), err))?;
    let prefix = format!("\"{}\"", grub_x86_64_mods.display());
    let libdir = format!("\"{}/lib\"", grub_i386_mods.display());
    let new_script = set_variable(
        &set_variable(&orig_script, "prefix=", &prefix),
        "libdir=",
        &libdir,
    );
    std::fs::write(mkrescue, new_script)
        .map_err(|err| TestError::io(format!("writing {}", mkrescue.display()), err))?;
    Ok(())
}

/// Upstream's `re.sub('(^<variable>)(.*)', r'\1<value>', script, flags=re.M)`:
/// every line that starts with `variable` gets `value` after it.
fn set_variable(script: &str, variable: &str, value: &str) -> String {
    script
        .split_inclusive('\n')
        .map(|line| match line.strip_prefix(variable) {
            Some(rest) => {
                let newline = if rest.ends_with('\n') { "\n" } else { "" };
                format!("{variable}{value}{newline}")
            }
            None => line.to_owned(),
        })
        .collect()
}

/// Uses grub-mkrescue to generate a fresh bits ISO with the python test
/// scripts.
fn generate_bits_iso(env: &TestEnv) -> TestResult {
    let bits_dir = env.scratch_file([bits_dir()]);
    let iso_file = iso_file(env);
    let mkrescue_script = env.scratch_file(["grub-inst-x86_64-efi", "bin", "grub-mkrescue"]);
    let mode = std::fs::metadata(&mkrescue_script).map_or(0, |meta| meta.permissions().mode());
    ensure!(
        mode & 0o700 == 0o700,
        "{} is not rwx: mode {mode:o}",
        mkrescue_script.display()
    );

    fix_mkrescue(env, &mkrescue_script)?;

    env.log("using grub-mkrescue for generating biosbits iso ...");
    let verbose = std::env::var_os("V").is_some() || std::env::var_os("BITS_DEBUG").is_some();
    let cmd = format!(
        "{} -o {} {}",
        mkrescue_script.display(),
        iso_file.display(),
        bits_dir.display()
    );
    let output = Command::new(&mkrescue_script)
        .arg("-o")
        .arg(&iso_file)
        .arg(&bits_dir)
        .stdin(Stdio::null())
        .output();
    let failure = match &output {
        Ok(output) if output.status.success() => None,
        Ok(output) => Some(format!("{cmd}: {}", output.status)),
        Err(err) => Some(format!("{cmd}: {err}")),
    };
    if let (true, Ok(output)) = (verbose, &output) {
        env.log(format_args!(
            "grub-mkrescue output {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    if let Some(failure) = failure {
        return Err(Skip::new(format!(
            "Error while generating the bits iso. Pass V=1 in the environment to get more details. {failure}"
        ))
        .into());
    }
    ensure!(
        iso_file.is_file(),
        "grub-mkrescue made no {}",
        iso_file.display()
    );
    env.log(format_args!(
        "iso file {} successfully generated.",
        iso_file.display()
    ));
    Ok(())
}

/// Parses the log of the bits tests (its debug console) and checks that
/// none failed.
fn parse_log(env: &TestEnv) -> TestResult {
    let debugconf = env.scratch_file([DEBUGCON_LOG]);
    let log = std::fs::read_to_string(&debugconf)
        .map_err(|err| TestError::io(format!("reading {}", debugconf.display()), err))?;
    let verbose = std::env::var_os("V").is_some() || std::env::var_os("BITS_DEBUG").is_some();
    for failed in log.lines().filter_map(summary_failed) {
        // verify that no test cases failed.
        if failed != "0" || verbose {
            print_log(env, &log);
        }
        ensure!(
            failed == "0",
            "Some bits tests seems to have failed. Please check the test logs for more info: {failed} failed"
        );
    }
    Ok(())
}

/// The `M` of upstream's `(.*Summary: )(\d+ passed), (\d+ failed).*` on one
/// line (the last such summary on it, as the greedy `.*` finds).
fn summary_failed(line: &str) -> Option<&str> {
    line.rmatch_indices("Summary: ").find_map(|(at, label)| {
        let rest = &line[at + label.len()..];
        let rest = rest
            .strip_prefix(digits(rest)?)?
            .strip_prefix(" passed, ")?;
        let failed = digits(rest)?;
        rest[failed.len()..]
            .starts_with(" failed")
            .then_some(failed)
    })
}

/// The leading digits of `text`, if any.
fn digits(text: &str) -> Option<&str> {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    (end > 0).then(|| &text[..end])
}

fn print_log(env: &TestEnv, log: &str) {
    env.log("\nlogs from biosbits follows:");
    env.log("==========================================\n");
    env.log(log);
    env.log("==========================================\n");
}

fn bits_dir() -> String {
    format!("bits-{BITS_INTERNAL_VER}")
}

fn iso_file(env: &TestEnv) -> PathBuf {
    env.scratch_file([format!("bits-{BITS_INTERNAL_VER}.iso")])
}

fn copy(from: &Path, to: &Path) -> TestResult {
    std::fs::copy(from, to).map_err(|err| {
        TestError::io(
            format!("copying {} to {}", from.display(), to.display()),
            err,
        )
    })?;
    Ok(())
}

#[qemu_test]
fn acpi_smbios_bits(mut vm: Machine) -> TestResult {
    set_up(vm.env())?;
    vm.set_machine("pc")?;
    let iso_file = iso_file(vm.env());
    ensure!(iso_file.is_file(), "no {}", iso_file.display());

    // upstream's QEMUBitsMachine: isa-debugcon, where bits writes its log
    let debugcon_log = vm.env().scratch_file([DEBUGCON_LOG]);
    vm.args([
        "-chardev",
        &format!("file,path={},id=debugcon", debugcon_log.display()),
        "-device",
        &format!("isa-debugcon,iobase={DEBUGCON_ADDR},chardev=debugcon"),
    ]);
    vm.arg("-cdrom").arg(&iso_file);
    // the vm needs to be run under icount so that TCG emulation is
    // consistent in terms of timing. smilatency tests have consistent
    // timing requirements.
    vm.args(["-icount", "auto"]);
    // currently there is no support in bits for recognizing 64-bit SMBIOS
    // entry points. QEMU defaults to 64-bit entry points since the
    // upstream commit bf376f3020 ("hw/i386/pc: Default to use SMBIOS 3.0
    // for newer machine models"). Therefore, enforce 32-bit entry point.
    vm.args(["-machine", "smbios-entry-point-type=32"]);

    // enable console logging
    vm.set_console();
    vm.launch()?;

    // biosbits has been configured to run all the specified test suites
    // in batch mode and then automatically initiate a vm shutdown.
    vm.event_wait_timeout("SHUTDOWN", Value::Null, BITS_TIMEOUT)?;
    vm.wait_exit()?;
    vm.env().log("Checking console output ...");
    // upstream's tearDown asserts that `not self._vm.is_running` (a
    // method, always true) is false: it never fails, so it is not ported.
    parse_log(vm.env())
}

#[test]
fn reads_the_summary_and_patches_variables() {
    let line = "acpi: Summary: 12 passed, 0 failed, in 3s";
    assert_eq!(summary_failed(line), Some("0"));
    let line = "x Summary: 3 passed, 2 failed Summary: junk";
    assert_eq!(summary_failed(line), Some("2"));
    assert_eq!(summary_failed("Summary: passed, 1 failed"), None);
    let script = "#!/bin/sh\nprefix=/usr\nlibdir=${prefix}/lib\n  prefix=x\nprefix=";
    assert_eq!(
        set_variable(script, "prefix=", "\"/g\""),
        "#!/bin/sh\nprefix=\"/g\"\nlibdir=${prefix}/lib\n  prefix=x\nprefix=\"/g\""
    );
}
