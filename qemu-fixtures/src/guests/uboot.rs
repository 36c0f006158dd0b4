//! U-Boot at its prompt: stop the autoboot countdown, run a command and get
//! its output. U-Boot's `## Error` becomes a standing failure pattern.

use crate::harness::TestError;
use crate::vm::{Console, ConsoleError};

/// U-Boot's prompt.
pub const PROMPT: &str = "=> ";
/// How U-Boot reports a failed command or boot step.
pub const ERROR: &str = "## Error";

/// Waits for U-Boot's banner and its countdown, interrupts the autoboot and
/// waits for the prompt. Returns the banner line
/// (`U-Boot 2023.01+dfsg-2 (...)`).
///
/// Keys go out only once the countdown shows: U-Boot resets its UART after
/// the banner, and on some boards (riscv64 virt) input sent before that
/// reset never arrives.
pub fn stop_autoboot(console: &mut Console) -> Result<String, ConsoleError> {
    let banner = banner(console)?;
    console.wait_for("Hit any key to stop autoboot")?;
    console.interrupt_interactive_console_until_pattern(PROMPT, None, None)?;
    prepare_markers(console)?;
    Ok(banner)
}

/// For a U-Boot built without an autoboot countdown (Malta's): waits for
/// the banner and for `prompt`. Returns the banner line.
pub fn wait_for_prompt(console: &mut Console, prompt: &str) -> Result<String, ConsoleError> {
    let banner = banner(console)?;
    console.wait_for(prompt)?;
    prepare_markers(console)?;
    Ok(banner)
}

fn banner(console: &mut Console) -> Result<String, ConsoleError> {
    console.fail_on(ERROR);
    console.wait_for("\nU-Boot 20")?;
    let rest = console.wait_for("\n")?;
    Ok(format!("U-Boot 20{}", rest.text().trim_end()))
}

/// A marker the command line holds only as a variable reference, so the
/// echo of a command never matches the end of its output. Waiting for
/// the echo keeps the next command's output apart from this one's.
fn prepare_markers(console: &mut Console) -> Result<(), ConsoleError> {
    const SETENV: &str = "setenv qf_end done";
    console
        .exec_command_and_wait_for_pattern(SETENV, SETENV, None)
        .map(drop)
}

/// Runs `command` at the prompt and returns what it printed (without the
/// echoed command line).
pub fn run(console: &mut Console, command: &str) -> Result<String, ConsoleError> {
    console.run_marked(command, "echo @@${qf_end}@@", "@@done@@")
}

/// Stops the autoboot, runs `version`, and checks that it names the
/// U-Boot that booted (its banner line).
pub fn answers_version(console: &mut Console) -> Result<(), TestError> {
    let banner = stop_autoboot(console)?;
    check_version(console, &banner)
}

/// As [`answers_version`], for a U-Boot without a countdown that stops at
/// `prompt` (Malta's).
pub fn answers_version_at(console: &mut Console, prompt: &str) -> Result<(), TestError> {
    let banner = wait_for_prompt(console, prompt)?;
    check_version(console, &banner)
}

fn check_version(console: &mut Console, banner: &str) -> Result<(), TestError> {
    let version = run(console, "version")?;
    crate::ensure!(
        version.starts_with(banner),
        "`version` printed {version:?}, the banner was {banner:?}"
    );
    Ok(())
}
