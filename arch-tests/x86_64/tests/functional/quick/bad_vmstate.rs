//! Port of QEMU's tests/functional/x86_64/test_bad_vmstate.py: vmstate-static-checker.py reports every difference between two known-bad dumps.

use std::sync::Arc;

use qemu_fixtures::guests::vmstate;
use qemu_fixtures::prelude::*;

const EXPECTED_OUTPUT: &str = r#"Warning: checking incompatible machine types: "pc-i440fx-2.1", "pc-i440fx-2.2"
Section "fw_cfg" does not exist in dest
Section "fusbh200-ehci-usb" version error: 2 > 1
Section "fusbh200-ehci-usb", Description "ehci-core": expected field "usbsts", got "usbsts_pending"; skipping rest
Section "pci-serial-4x" Description "pci-serial-multi": Entry "Fields" missing
Section "intel-hda-generic", Description "intel-hda", Field "pci": missing description
Section "cfi.pflash01": Entry "Description" missing
Section "megasas", Description "PCIDevice": expected field "irq_state", while dest has no further fields
Section "PIIX3-xen" Description "PIIX3": minimum version error: 1 < 2
Section "PIIX3-xen" Description "PIIX3": Entry "Subsections" missing
Section "tpci200": Description "tpci200" missing, got "tpci2002" instead; skipping
Section "sun-fdtwo" Description "fdc": version error: 2 > 1
Section "sun-fdtwo", Description "fdrive": Subsection "fdrive/media_rate" not found
Section "usb-kbd" Description "usb-kbd" Field "kbd.keycodes" size mismatch: 4 , 2
"#;

#[qemu_test]
fn checker(env: Arc<TestEnv>) -> TestResult {
    let data = ["tests", "data", "vmstate-static-checker"];
    let src_json = vmstate::source_file(data.iter().chain(&["dump1.json"]))?;
    let dst_json = vmstate::source_file(data.iter().chain(&["dump2.json"]))?;
    env.log(format_args!(
        "comparing {} with {}",
        src_json.display(),
        dst_json.display()
    ));
    let report = vmstate::static_checker(&src_json, &dst_json)?;
    ensure!(
        report.code == Some(13),
        "Unexpected return code of vmstate-static-checker: {:?}",
        report.code
    );
    if report.output != EXPECTED_OUTPUT {
        env.log(format_args!(
            "vmstate-static-checker output:\n{}\nexpected output:\n{EXPECTED_OUTPUT}",
            report.output
        ));
        return Err(TestError::check(
            "Unexpected vmstate-static-checker output!",
        ));
    }
    Ok(())
}
