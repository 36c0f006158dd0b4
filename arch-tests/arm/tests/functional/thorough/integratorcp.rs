//! Port of QEMU's tests/functional/arm/test_integratorcp.py: a Linux kernel on the Integrator/CP reaches its login banner and draws Tux on the framebuffer.

use qemu_fixtures::harness::template::{Gray, match_template};
use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "https://github.com/zayac/qemu-arm/raw/master/arm-test/kernel/zImage.integrator",
    "26e7c7e8f943de785d95bd3c74d66451604a9b6a7a3d25dceb279e7548fd8e78",
);

#[asset]
static INITRD: Asset = Asset::new(
    "https://github.com/zayac/qemu-arm/raw/master/arm-test/kernel/arm_root.img",
    "e187c27fb342ad148c7f33475fbed124933e0b3f4be8c74bc4f3426a4793373a",
);

#[asset]
static TUXLOGO: Asset = Asset::new(
    "https://github.com/torvalds/linux/raw/v2.6.12/drivers/video/logo/logo_linux_vga16.ppm",
    "b762f0d91ec018887ad1b334543c2fdf9be9fdfc87672b409211efaa3ea0ef79",
);

fn boot_integratorcp(vm: &mut Machine) -> TestResult {
    let kernel_path = vm.env().fetch(&KERNEL)?;
    let initrd_path = vm.env().fetch(&INITRD)?;
    vm.set_machine("integratorcp")?;
    vm.set_console();
    vm.arg("-kernel").arg(&kernel_path);
    vm.arg("-initrd").arg(&initrd_path);
    vm.args(["-append", "printk.time=0 console=ttyAMA0"]);
    vm.launch()?;
    Ok(())
}

#[qemu_test]
fn integratorcp_console(mut vm: Machine) -> TestResult {
    skip::untrusted()?;
    boot_integratorcp(&mut vm)?;
    vm.console().wait_for("Log in as root")?;
    Ok(())
}

/// Upstream matches the logo with OpenCV (`cv2.matchTemplate`,
/// `TM_CCOEFF_NORMED`); `harness::template` computes the same coefficient.
#[qemu_test]
fn framebuffer_tux_logo(mut vm: Machine) -> TestResult {
    skip::untrusted()?;
    let screendump_path = vm.env().scratch_file(["screendump.pbm"]);
    let tuxlogo_path = vm.env().fetch(&TUXLOGO)?;
    boot_integratorcp(&mut vm)?;
    let framebuffer_ready = "Console: switching to colour frame buffer device";
    vm.console().wait_for(framebuffer_ready)?;
    vm.qmp().hmp("stop")?;
    let res = vm
        .qmp()
        .hmp(&format!("screendump {}", screendump_path.display()))?;
    if res.contains("unknown command") {
        return Err(Skip::new("screendump not available").into());
    }
    let cpu_count = 1;
    let match_threshold = 0.92;
    let screendump = Gray::read_ppm(&screendump_path)?;
    let tuxlogo = Gray::read_ppm(&tuxlogo_path)?;
    let found = match_template(&screendump, &tuxlogo, match_threshold);
    for (x, y, score) in &found {
        vm.env().log(format_args!(
            "found Tux at position [x, y] = ({x}, {y}), score {score:.3}"
        ));
    }
    ensure!(
        found.len() >= cpu_count,
        "{} Tux logos on the screendump, expected at least {cpu_count}",
        found.len()
    );
    Ok(())
}
