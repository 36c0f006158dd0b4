//! Port of QEMU's tests/functional/x86_64/test_linux_initrd.py: a 2 GiB initrd is refused with QEMU's message for Linux 3.6, and unpacked by Linux 4.16.

use qemu_fixtures::prelude::*;

#[asset]
static F18_KERNEL: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/18/Fedora/x86_64/os/images/pxeboot/vmlinuz",
    "1a27cb42559ce29237ac186699d063556ad69c8349d732bb1bd8d614e5a8cc2e",
);
#[asset]
static F28_KERNEL: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/28/Everything/x86_64/os/images/pxeboot/vmlinuz",
    "d05909c9d4a742a6fcc84dcc0361009e4611769619cc187a07107579a035f24e",
);

/// A sparse initrd of `max_size + 1` zero bytes in scratch, as upstream's
/// `seek(max_size); write(b'\0')`.
fn sparse_initrd(vm: &Machine, max_size: u64) -> Result<std::path::PathBuf, TestError> {
    let path = vm.env().scratch_file(["initrd"]);
    std::fs::File::create(&path)
        .and_then(|file| file.set_len(max_size + 1))
        .map_err(|err| TestError::io(format!("creating {}", path.display()), err))?;
    Ok(path)
}

#[qemu_test]
fn with_2gib_file_should_exit_error_msg_with_linux_v3_6(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    let kernel_path = vm.env().fetch(&F18_KERNEL)?;
    let max_size = 2 * 1024u64.pow(3) - 1;
    let initrd = sparse_initrd(&vm, max_size)?;
    vm.arg("-kernel")
        .arg(&kernel_path)
        .arg("-initrd")
        .arg(&initrd);
    vm.args(["-m", "4096"]);
    vm.disable_qmp().disable_console();
    vm.launch()?;
    let exit = vm.wait_exit()?;
    ensure!(
        exit.code() == Some(1),
        "QEMU exited with {exit:?}, expected code 1"
    );
    // upstream's regex: .*initrd is too large.*max: \d+, need {max_size + 1}.*
    let log = vm.output();
    let need = format!(", need {}", max_size + 1);
    ensure!(
        log.lines().any(|line| line
            .split_once("initrd is too large")
            .and_then(|(_, rest)| rest.split_once("max: "))
            .and_then(|(_, rest)| rest.split_once(&need))
            .is_some_and(|(max, _)| !max.is_empty() && max.bytes().all(|b| b.is_ascii_digit()))),
        "QEMU's output does not say the initrd is too large ({need}): {log}"
    );
    Ok(())
}

#[qemu_test]
fn with_2gib_file_should_work_with_linux_v4_16(mut vm: Machine) -> TestResult {
    skip::flaky_untracked()?;
    vm.set_machine("pc")?;
    let kernel_path = vm.env().fetch(&F28_KERNEL)?;
    let max_size = 2 * 1024u64.pow(3) + 1;
    let initrd = sparse_initrd(&vm, max_size)?;
    vm.set_console();
    let kernel_command_line = "console=ttyS0";
    vm.arg("-kernel").arg(&kernel_path);
    vm.args(["-append", kernel_command_line]);
    vm.arg("-initrd").arg(&initrd).args(["-m", "5120"]);
    vm.launch()?;
    vm.console()
        .wait_for_console_pattern("Unpacking initramfs...", Some("Kernel panic - not syncing"))?;
    Ok(())
}
