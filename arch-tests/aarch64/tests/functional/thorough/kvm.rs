//! Port of QEMU's tests/functional/aarch64/test_kvm.py: kvm-unit-tests' selftests pass in a nested KVM guest, in nVHE and VHE mode.

use qemu_fixtures::prelude::*;

#[asset]
static KVM_TEST_KERNEL: Asset = Asset::new(
    "https://fileserver.linaro.org/s/HmjaxXXYHYSqbes/download?path=%2F&files=image-with-kvm-tool-and-unit-tests.gz",
    "34de4aaea90db5da42729e7d28b77f392c37a2f4da859f889a5234aaf0970696",
);

/// Makes it easier to detect a successful return to the shell.
const PS1: &str = "RES=[$?] # ";
const OK_CMD: &str = "RES=[0] # ";
/// The base of the tests.
const KUT_BASE: &str = "/usr/share/kvm-unit-tests/";

fn launch_guest(vm: &mut Machine, kvm_mode: &str) -> TestResult {
    vm.set_machine("virt")?;
    let kernel = vm.env().fetch(&KVM_TEST_KERNEL)?;
    vm.set_console();
    let kernel_command_line = format!(
        "{}console=ttyAMA0 kvm-arm.mode={kvm_mode}",
        linux::KERNEL_COMMON_COMMAND_LINE
    );
    vm.args(["-cpu", "cortex-a72"]);
    vm.args([
        "-machine",
        "virt,gic-version=3,virtualization=on",
        "-kernel",
    ]);
    vm.arg(&kernel).args(["-append", &kernel_command_line]);
    vm.args(["-smp", "2", "-m", "320"]);
    vm.launch()?;
    linux::wait_for_console_pattern(vm, "buildroot login:")?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern("root", "#", None)?;
    console.exec_command_and_wait_for_pattern(&format!("export PS1='{PS1}'"), OK_CMD, None)?;
    Ok(())
}

/// This is just a smoke test: it does not run all the tests in the image.
fn smoketest_kvm(vm: &mut Machine) -> TestResult {
    let console = vm.console();
    for test in [
        "selftest-setup",
        "selftest-smp",
        "selftest-vectors-kernel",
        "selftest-vectors-user",
    ] {
        console.exec_command_and_wait_for_pattern(&format!("{KUT_BASE}/{test}"), OK_CMD, None)?;
    }
    Ok(())
}

// launch_guest: -smp 2 -m 320 under KVM.
#[qemu_test(vcpus = 2, memory_mib = 320, kvm)]
fn aarch64_nvhe_selftest(mut vm: Machine) -> TestResult {
    launch_guest(&mut vm, "nvhe")?;
    smoketest_kvm(&mut vm)
}

// launch_guest: -smp 2 -m 320 under KVM.
#[qemu_test(vcpus = 2, memory_mib = 320, kvm)]
fn aarch64_vhe_selftest(mut vm: Machine) -> TestResult {
    launch_guest(&mut vm, "vhe")?;
    smoketest_kvm(&mut vm)
}
