//! Port of QEMU's tests/functional/mips64el/test_fuloong2e.py: Debian's Loongson-2E kernel boots on the Fuloong-2E with its command line, and the Yeeloong rescue kernel (when RESCUE_YL_PATH names it) reaches the ISA serial port.

use std::process::Command;

use qemu_fixtures::prelude::*;

#[asset]
static KERNEL: Asset = Asset::new(
    "http://archive.debian.org/debian/pool/main/l/linux/linux-image-3.16.0-6-loongson-2e_3.16.56-1+deb8u1_mipsel.deb",
    "2a70f15b397f4ced632b0c15cb22660394190644146d804d60a4796eefbe1f50",
);

#[qemu_test]
fn linux_kernel_3_16(mut vm: Machine) -> TestResult {
    let kernel_path = vm
        .env()
        .archive_extract(&KERNEL, "boot/vmlinux-3.16.0-6-loongson-2e")?;
    vm.set_machine("fuloong2e")?;
    let kernel_command_line = format!("{}console=ttyS0", linux::KERNEL_COMMON_COMMAND_LINE);
    linux::boot_to_command_line(&mut vm, &kernel_path, &kernel_command_line)?;
    Ok(())
}

#[qemu_test]
fn linux_kernel_2_6_27_isa_serial(mut vm: Machine) -> TestResult {
    skip::untrusted()?;
    let Some(kernel_path) = std::env::var_os("RESCUE_YL_PATH") else {
        return Err(Skip::new("RESCUE_YL_PATH not available").into());
    };
    // Recovery system for the Yeeloong laptop (enough to test the
    // fuloong2e southbridge, accessing its ISA bus)
    // http://dev.lemote.com/files/resource/download/rescue/rescue-yl
    let sha = "ab588d3316777c62cc81baa20ac92e98b01955c244dff3794b711bc34e26e51d";
    let output = Command::new("sha256sum")
        .arg(&kernel_path)
        .output()
        .map_err(|err| TestError::io("running sha256sum", err))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let checksum = stdout.split_whitespace().next().unwrap_or_default();
    ensure!(
        checksum == sha,
        "RESCUE_YL_PATH: sha256 is {checksum:?}, expected {sha}"
    );
    vm.set_machine("fuloong2e")?;
    vm.set_console();
    vm.arg("-kernel").arg(&kernel_path);
    vm.launch()?;
    vm.console().wait_for("Linux version 2.6.27.7lemote")?;
    let cpu_revision = "CPU revision is: 00006302 (ICT Loongson-2)";
    vm.console().wait_for(cpu_revision)?;
    Ok(())
}
