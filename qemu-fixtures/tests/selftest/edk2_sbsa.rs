//! Prepared files of the aarch64 firmware-stack tests: sbsa-ref's flash volumes (scratch copies expanded to 256 MiB on two pflash drives) and the linux-stack tree copied whole into scratch.

use std::sync::Arc;

use qemu_fixtures::guests::edk2::{SBSA_FLASH_SIZE, sbsa_flash_args};
use qemu_fixtures::prelude::*;

#[qemu_test]
fn sbsa_flash_volumes_are_expanded_copies_on_pflash(env: Arc<TestEnv>) -> TestResult {
    let secure = env.scratch_file(["secure.fd"]);
    let uefi = env.scratch_file(["uefi.fd"]);
    std::fs::write(&secure, b"TF-A").map_err(|err| TestError::io("writing", err))?;
    std::fs::write(&uefi, b"EDK2").map_err(|err| TestError::io("writing", err))?;
    let args = sbsa_flash_args(&env, [&secure, &uefi])?;
    let fs0 = env.scratch_file(["SBSA_FLASH0.fd"]);
    let fs1 = env.scratch_file(["SBSA_FLASH1.fd"]);
    let expected: Vec<std::ffi::OsString> = vec![
        "-drive".into(),
        format!("if=pflash,file={},format=raw", fs0.display()).into(),
        "-drive".into(),
        format!("if=pflash,file={},format=raw", fs1.display()).into(),
    ];
    ensure!(args == expected, "arguments are {args:?}");
    for (path, head) in [(&fs0, b"TF-A"), (&fs1, b"EDK2")] {
        use std::io::Read;
        let mut file = std::fs::File::open(path).map_err(|err| TestError::io("opening", err))?;
        let len = file
            .metadata()
            .map_err(|err| TestError::io("stat", err))?
            .len();
        let mut start = [0u8; 4];
        file.read_exact(&mut start)
            .map_err(|err| TestError::io("reading", err))?;
        ensure!(
            len == SBSA_FLASH_SIZE && &start == head,
            "{} holds {len} bytes starting {start:?}",
            path.display()
        );
    }
    ensure!(
        std::fs::read(&secure).map_err(|err| TestError::io("reading", err))? == b"TF-A",
        "the source volume was changed"
    );
    Ok(())
}

#[qemu_test]
fn linux_stack_tree_is_copied_whole_and_writable(env: Arc<TestEnv>) -> TestResult {
    let from = env.scratch_file(["cache", "out"]);
    std::fs::create_dir_all(from.join("EFI")).map_err(|err| TestError::io("mkdir", err))?;
    std::fs::write(from.join("Image"), b"kernel").map_err(|err| TestError::io("writing", err))?;
    std::fs::write(from.join("EFI").join("x"), b"efi")
        .map_err(|err| TestError::io("writing", err))?;
    let to = env.scratch_file(["copy", "out"]);
    linux_stack::copy_tree(&from, &to)?;
    for (path, bytes) in [
        (to.join("Image"), &b"kernel"[..]),
        (to.join("EFI").join("x"), &b"efi"[..]),
    ] {
        let copied = std::fs::read(&path).map_err(|err| TestError::io("reading", err))?;
        ensure!(copied == bytes, "{} holds {copied:?}", path.display());
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|err| TestError::io(format!("opening {} for writing", path.display()), err))?;
    }
    Ok(())
}
