//! Port of QEMU's tests/functional/hexagon/test_arch_tests.py: bare-metal hexagon-arch-tests (exceptions, guest mode, interrupt steering) print PASS on the virt machine's UART.

use qemu_fixtures::prelude::*;

#[asset]
static TARBALL: Asset = Asset::new(
    "https://github.com/qualcomm/qemu-hexagon-testing/releases/download/v0.2.5/arch_tests_uart.tar.gz",
    "edb4f37b877a3a72a0e10920477458a43b40045d34398fee8cb763fefd342f4f",
);

/// Upstream's `run_uart_test`: boots one test binary, waits for PASS.
fn run_uart_test(vm: &mut Machine, test_name: &str) -> TestResult {
    vm.set_machine("virt")?;
    let target_bin = vm.env().archive_extract(
        &TARBALL,
        &format!("arch_tests_uart_package/bin/{test_name}"),
    )?;
    vm.set_console();
    vm.set_vm_arg("-display", "none");
    vm.set_vm_arg("-kernel", target_bin);
    vm.launch()?;
    vm.console().wait_for("PASS")?;
    Ok(())
}

#[qemu_test]
fn exceptions(mut vm: Machine) -> TestResult {
    run_uart_test(&mut vm, "test_exceptions")
}

#[qemu_test]
fn guest_mode(mut vm: Machine) -> TestResult {
    run_uart_test(&mut vm, "test_guest_mode")
}

#[qemu_test]
fn int_steering(mut vm: Machine) -> TestResult {
    run_uart_test(&mut vm, "test_int_steering")
}
