//! EDK2 (UEFI) firmware: its code and a per-test writable copy of its
//! variable store on pflash, a command at the UEFI shell, and the sbsa-ref
//! machine's TF-A + EDK2 flash volumes.

use std::ffi::OsString;
use std::path::Path;

use crate::assets::Asset;
use crate::guests::linux::file_truncate;
use crate::harness::Machine;

use crate::harness::Installed;
use crate::harness::TestEnv;
use crate::harness::{TestError, TestResult};
use crate::vm::{Console, ConsoleError};

/// The arguments that put EDK2's code (read-only) and a writable copy of
/// its variables on the two pflash devices: the copy is the test's own,
/// so the packaged store is never written.
pub fn pflash_args(
    env: &TestEnv,
    code: &Installed,
    vars: &Installed,
) -> Result<Vec<OsString>, TestError> {
    let code = env.installed(code)?;
    let vars = env.writable_copy(&env.installed(vars)?)?;
    let mut code_drive = OsString::from("if=pflash,format=raw,readonly=on,file=");
    code_drive.push(&code);
    let mut vars_drive = OsString::from("if=pflash,format=raw,file=");
    vars_drive.push(&vars);
    Ok(vec![
        "-drive".into(),
        code_drive,
        "-drive".into(),
        vars_drive,
    ])
}

/// Waits for the UEFI shell (skipping its startup.nsh countdown) and has
/// it echo a word back. The shell echoes typed keys one at a time between
/// cursor moves, so only the reply, on a line of its own, can match.
pub fn shell_answers_echo(console: &mut Console) -> Result<(), ConsoleError> {
    console.wait_for("UEFI Interactive Shell v")?;
    console.wait_for("in 5 seconds to skip")?;
    console.send(" ")?;
    console.wait_for("Shell> ")?;
    console.send("echo efi-ok-42\r")?;
    console.wait_for("\nefi-ok-42")?;
    Ok(())
}

/// The size sbsa-ref's two pflash devices have: volumes are expanded to it.
pub const SBSA_FLASH_SIZE: u64 = 256 << 20;

/// Upstream's `fetch_firmware` of `test_sbsaref.py`: the secure boot ROM
/// (TF-A) and the non-secure ROM (EDK2 and its variables), decompressed,
/// on sbsa-ref's pflash devices, with the console set.
pub fn fetch_sbsaref_firmware(vm: &mut Machine, flash0: &Asset, flash1: &Asset) -> TestResult {
    let env = vm.env().clone();
    let fs0 = env.uncompress(flash0)?;
    let fs1 = env.uncompress(flash1)?;
    let drives = sbsa_flash_args(&env, [&fs0, &fs1])?;
    vm.set_machine("sbsa-ref")?;
    vm.set_console();
    vm.args(drives);
    Ok(())
}

/// Writable copies of the two volumes in scratch (`SBSA_FLASH0.fd`,
/// `SBSA_FLASH1.fd`) expanded to 256 MiB, and the `-drive
/// if=pflash,...` arguments that use them.
pub fn sbsa_flash_args(env: &TestEnv, volumes: [&Path; 2]) -> Result<Vec<OsString>, TestError> {
    let mut args = Vec::new();
    for (index, volume) in volumes.into_iter().enumerate() {
        let path = env.scratch_file([format!("SBSA_FLASH{index}.fd")]);
        std::fs::copy(volume, &path).map_err(|err| {
            TestError::io(
                format!("copying {} to {}", volume.display(), path.display()),
                err,
            )
        })?;
        file_truncate(&path, SBSA_FLASH_SIZE)?;
        let mut drive = OsString::from("if=pflash,file=");
        drive.push(&path);
        drive.push(",format=raw");
        args.extend(["-drive".into(), drive]);
    }
    Ok(args)
}
