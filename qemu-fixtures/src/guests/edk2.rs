//! EDK2 (UEFI) firmware: its code and a per-test writable copy of its
//! variable store on pflash, and a command at the UEFI shell.

use std::ffi::OsString;

use crate::harness::Installed;
use crate::harness::TestEnv;
use crate::harness::TestError;
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
