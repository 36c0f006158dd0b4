//! Port of QEMU's tests/functional/generic/test_vmstate.py: a 7.2 machine type's vmstate still reads QEMU 7.2's reference data; the rows of five targets call it.

use crate::ensure;
use crate::guests::vmstate;
use crate::harness::{Machine, Skip, TestResult};

/// Dumps the vmstate of the target's 7.2 machine type and checks it with
/// `vmstate-static-checker.py` against the reference file of QEMU's
/// source tree. The dump runs anywhere; the comparison needs the source
/// tree, and, as upstream marks it (`skipFlakyTest`: the checker can
/// produce false positives), `QEMU_TEST_FLAKY_TESTS`.
pub fn vmstate_7_2(mut vm: Machine) -> TestResult {
    let arch = vm.env().id().arch.clone();
    let machine = match arch.as_str() {
        "aarch64" => "virt-7.2",
        "m68k" => "virt-7.2",
        "ppc64" => "pseries-7.2",
        "s390x" => "s390-ccw-virtio-7.2",
        "x86_64" => "pc-q35-7.2",
        _ => {
            return Err(
                Skip::new(format!("QEMU has no 7.2 vmstate reference data for {arch}")).into(),
            );
        }
    };
    vm.set_machine(machine)?;
    let dst_json = vmstate::dump_vmstate(&vm)?;
    let src_json = vmstate::source_file([
        "tests",
        "data",
        "vmstate-static-checker",
        &arch,
        &format!("{machine}.json"),
    ])?;
    vm.env().log(format_args!(
        "comparing vmstate with {}",
        src_json.display()
    ));
    if std::env::var_os("QEMU_TEST_FLAKY_TESTS").is_none_or(|value| value.is_empty()) {
        return Err(Skip::new(
            "vmstate-static-checker can produce false positives; set QEMU_TEST_FLAKY_TESTS=1 to run it",
        )
        .into());
    }
    let report = vmstate::static_checker(&src_json, &dst_json)?;
    ensure!(
        report.code == Some(0),
        "Running vmstate-static-checker failed:\n{}\nThis either means that there is a migration bug that needs to be fixed, or\nvmstate-static-checker.py needs to be improved (e.g. extend the changed_names\nin case a field has been renamed), or drop the problematic field from\n{}\nin case the script cannot be fixed easily.",
        report.output,
        src_json.display()
    );
    if !report.output.is_empty() {
        vm.env().log(format_args!(
            "vmstate-static-checker output: {}",
            report.output
        ));
    }
    Ok(())
}
