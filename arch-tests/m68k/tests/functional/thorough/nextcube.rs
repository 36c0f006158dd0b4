//! Port of QEMU's tests/functional/m68k/test_nextcube.py: the NeXTcube boot ROM finishes its FPU test and draws its 1120x832 screen, whose text tesseract reads.

use std::path::Path;

use qemu_fixtures::harness::ocr::{require_tesseract, tesseract_ocr};
use qemu_fixtures::harness::screendump::read_ppm;
use qemu_fixtures::prelude::*;

#[asset]
static ROM: Asset = Asset::new(
    "https://sourceforge.net/p/previous/code/1350/tree/trunk/src/Rev_2.5_v66.BIN?format=raw",
    "1b753890b67095b73e104c939ddf62eca9e7d0aedde5108e3893b0ed9d8000a4",
);

fn check_bootrom_framebuffer(vm: &mut Machine, screenshot_path: &Path) -> TestResult {
    let rom_path = vm.env().fetch(&ROM)?;

    vm.arg("-bios").arg(&rom_path);
    vm.launch()?;

    vm.env().log("VM launched, waiting for display");
    // Wait for the FPU test to finish, then the display is available, too:
    vm.wait_for_registers(&[
        "F0 = 400e 8400000000000000",
        "F1 = 400e 83ff000000000000",
        "F2 = 400e 83ff000000000000",
    ])?;

    let res = vm.cmd(
        "human-monitor-command",
        json!({"command-line": format!("screendump {}", screenshot_path.display())}),
    )?;
    if res.as_str().unwrap_or_default().contains("unknown command") {
        return Err(Skip::new("screendump not available").into());
    }
    Ok(())
}

#[qemu_test]
fn bootrom_framebuffer_size(mut vm: Machine) -> TestResult {
    vm.set_machine("next-cube")?;
    let screenshot_path = vm.env().scratch_file(["dump.ppm"]);
    check_bootrom_framebuffer(&mut vm, &screenshot_path)?;

    let image = read_ppm(&screenshot_path)?;
    ensure!(
        image.width == 1120,
        "width is {}, expected 1120",
        image.width
    );
    ensure!(
        image.height == 832,
        "height is {}, expected 832",
        image.height
    );
    Ok(())
}

#[qemu_test]
fn bootrom_framebuffer_ocr_with_tesseract(mut vm: Machine) -> TestResult {
    require_tesseract()?;
    vm.set_machine("next-cube")?;
    let screenshot_path = vm.env().scratch_file(["dump.ppm"]);
    check_bootrom_framebuffer(&mut vm, &screenshot_path)?;
    let lines = tesseract_ocr(&screenshot_path)?;
    let text = lines.join("\n");
    for wanted in ["Backplane slot", "Ethernet address", "Testing the FPU"] {
        ensure!(
            text.contains(wanted),
            "OCR did not read {wanted:?} in:\n{text}"
        );
    }
    Ok(())
}
