//! Port of QEMU's tests/functional/riscv64/test_boston.py: Linux boots on the boston-aia board's P8700 with 2 and 64 CPUs, and 65 CPUs are refused.

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::MachineError;

#[asset]
static FW_PAYLOAD: Asset = Asset::new(
    "https://github.com/MIPS/linux-test-downloads/raw/main/p8700/fw_payload.bin",
    "d6f4ae14d0c178c1d0bb38ddf64557536ca8602a588b220729a8aa17caa383aa",
);
#[asset]
static ROOTFS: Asset = Asset::new(
    "https://github.com/MIPS/linux-test-downloads/raw/main/p8700/rootfs.ext2",
    "f937e21b588f0d1d17d10a063053979686897bbbbc5e9617a5582f7c1f48e565",
);

/// Boots OpenSBI and Linux with `smp_count` CPUs, through the e1000e's
/// probe, up to init.
fn boot_linux_test(mut vm: Machine, smp_count: u32) -> TestResult {
    vm.set_machine("boston-aia")?;
    let fw_payload = vm.env().fetch(&FW_PAYLOAD)?;
    let rootfs = vm.env().fetch(&ROOTFS)?;
    vm.args(["-cpu", "mips-p8700"]);
    vm.args(["-m", "2G"]);
    vm.args(["-smp", &smp_count.to_string()]);
    vm.arg("-kernel").arg(&fw_payload);
    vm.args([
        "-drive",
        &format!("file={},format=raw,snapshot=on", rootfs.display()),
    ]);
    vm.set_console();
    vm.launch()?;
    let console = vm.console();
    console.wait_for("OpenSBI")?;
    console.wait_for("Linux version")?;
    console.wait_for("Machine model: MIPS P8700")?;
    console.wait_for("e1000e")?;
    console.wait_for("Network Connection")?;
    console.wait_for("Run /sbin/init as init process")?;
    Ok(())
}

#[qemu_test]
fn boston_boot_linux_min_cpus(vm: Machine) -> TestResult {
    boot_linux_test(vm, 2)
}

#[qemu_test]
fn boston_boot_linux_max_cpus(vm: Machine) -> TestResult {
    boot_linux_test(vm, 64)
}

/// QEMU refuses 65 CPUs at once, exit code 1, saying why.
#[qemu_test]
fn boston_invalid_cpu_count(mut vm: Machine) -> TestResult {
    let fw_payload = vm.env().fetch(&FW_PAYLOAD)?;
    let rootfs = vm.env().fetch(&ROOTFS)?;
    vm.args([
        "-M",
        "boston-aia",
        "-cpu",
        "mips-p8700",
        "-m",
        "2G",
        "-smp",
        "65",
    ]);
    vm.arg("-kernel").arg(&fw_payload);
    vm.args([
        "-drive",
        &format!("file={},format=raw,snapshot=on", rootfs.display()),
    ]);
    vm.arg("-nographic");
    match vm.launch() {
        Err(MachineError::DidNotStart { exit, output, .. }) => {
            ensure!(
                exit.code() == Some(1),
                "QEMU {exit}: QEMU should exit with code 1 for invalid SMP count"
            );
            ensure!(
                output.contains("Invalid SMP CPUs 65"),
                "error message should indicate invalid SMP CPU count: {output:?}"
            );
            Ok(())
        }
        Err(err) => Err(err.into()),
        Ok(_) => Err(TestError::check("QEMU started with -smp 65 on boston-aia")),
    }
}
