//! `qemu-img` for a test, as upstream's `get_qemu_img`: which binary to
//! use, and running it with its output in `base.log`.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::harness::{Skip, TestEnv, TestError};

impl TestEnv {
    /// Upstream's `get_qemu_img`: `$QEMU_TEST_QEMU_IMG`, else the build
    /// tree's `qemu-img`, else the one on `PATH`; none is a skip naming the
    /// Debian package.
    pub fn qemu_img(&self) -> Result<PathBuf, Skip> {
        let built = self.build_file(["qemu-img"]).ok();
        pick_qemu_img(
            std::env::var_os("QEMU_TEST_QEMU_IMG"),
            built,
            crate::vm::find_command("qemu-img"),
        )
    }

    /// Runs `qemu-img <args>` (upstream's `check_call([qemu_img, ...])`);
    /// a failure quotes the command and what it printed.
    pub fn run_qemu_img<I, S>(&self, args: I) -> Result<(), TestError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let qemu_img = self.qemu_img()?;
        let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let shown = format!(
            "{} {}",
            qemu_img.display(),
            args.iter()
                .map(|arg| arg.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" ")
        );
        self.log(format_args!("running {shown}"));
        let output = Command::new(&qemu_img)
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .map_err(|err| TestError::io(format!("running {}", qemu_img.display()), err))?;
        crate::ensure!(
            output.status.success(),
            "{shown}: {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
        Ok(())
    }
}

/// The choice [`TestEnv::qemu_img`] makes, from the environment variable,
/// the build tree's path (if a build tree is given) and the one on `PATH`.
fn pick_qemu_img(
    from_env: Option<OsString>,
    built: Option<PathBuf>,
    on_path: Option<PathBuf>,
) -> Result<PathBuf, Skip> {
    if let Some(path) = from_env.filter(|path| !path.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    if let Some(built) = built.filter(|built| built.is_file()) {
        return Ok(built);
    }
    on_path.ok_or_else(|| {
        Skip::new("qemu-img not found in the build tree or PATH: install Debian's qemu-utils")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variable_wins_over_build_tree_and_path() {
        let picked = pick_qemu_img(
            Some("/opt/qemu/qemu-img".into()),
            Some(std::env::current_exe().unwrap()),
            Some("/usr/bin/qemu-img".into()),
        );
        assert_eq!(picked.unwrap(), PathBuf::from("/opt/qemu/qemu-img"));
    }

    #[test]
    fn an_existing_build_tree_binary_wins_over_path() {
        let built = std::env::current_exe().unwrap();
        let picked = pick_qemu_img(
            Some(OsString::new()),
            Some(built.clone()),
            Some("/usr/bin/qemu-img".into()),
        );
        assert_eq!(picked.unwrap(), built);
    }

    #[test]
    fn a_missing_build_tree_binary_falls_back_to_path() {
        let picked = pick_qemu_img(
            None,
            Some("/nonexistent/build/qemu-img".into()),
            Some("/usr/bin/qemu-img".into()),
        );
        assert_eq!(picked.unwrap(), PathBuf::from("/usr/bin/qemu-img"));
    }

    #[test]
    fn none_at_all_is_a_skip_naming_the_package() {
        let skip = pick_qemu_img(None, None, None).unwrap_err();
        assert!(skip.reason().contains("qemu-utils"), "{skip}");
    }
}
