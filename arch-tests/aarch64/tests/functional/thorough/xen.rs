//! Port of QEMU's tests/functional/aarch64/test_xen.py: Xen 4.11, 4.14 and 4.15 boot on virt with virtualization=on and start a dom0 kernel.

use qemu_fixtures::prelude::*;

const XEN_COMMON_COMMAND_LINE: &str = "dom0_mem=128M loglvl=all guest_loglvl=all";

#[asset]
static KERNEL: Asset = Asset::new(
    "https://share.linaro.org/downloadFile?id=RRahAWwAwYKTZQd",
    "00366fa51ea957c19462d2e2aefd480bef80ce727120e714ae48e0c88f261edb",
);

/// Launch Xen with a dom0 guest kernel
fn launch_xen(mut vm: Machine, xen: &std::path::Path) -> TestResult {
    vm.require_accelerator("tcg")?; // virtualization=on
    vm.set_machine("virt")?;
    vm.args(["-cpu", "cortex-a57"]);
    let kernel = vm.env().fetch(&KERNEL)?;
    vm.env()
        .log(format_args!("launch with xen_path: {}", xen.display()));
    vm.set_console();
    vm.args(["-machine", "virtualization=on", "-m", "768", "-kernel"])
        .arg(xen);
    vm.args(["-append", XEN_COMMON_COMMAND_LINE, "-device"]);
    vm.arg(format!(
        "guest-loader,addr=0x47000000,kernel={},bootargs=console=hvc0",
        kernel.display()
    ));
    vm.launch()?;
    let console_pattern = "VFS: Cannot open root device";
    vm.console()
        .wait_for_console_pattern(console_pattern, Some("Panic on CPU 0:"))?;
    Ok(())
}

#[asset]
static XEN_4_11: Asset = Asset::new(
    "https://share.linaro.org/downloadFile?id=ALU4n2NGGYbE4fO",
    "b745c2631342f9fcc0147ddc364edb62c20ecfebd430e5a3546e7d7c6891c0bc",
);

#[qemu_test]
fn arm64_xen_411_and_dom0(vm: Machine) -> TestResult {
    // archive of file from https://deb.debian.org/debian/pool/main/x/xen/
    let xen = vm
        .env()
        .archive_extract_as(&XEN_4_11, Format::Deb, Some("boot/xen-4.11-arm64"))?;
    launch_xen(vm, &xen)
}

#[asset]
static XEN_4_14: Asset = Asset::new(
    "https://share.linaro.org/downloadFile?id=os4zSXPl7WW4lqX",
    "e930a3293248edabd367d5b4b3b6448b9c99c057096ea8b47228a7870661d5cb",
);

#[qemu_test]
fn arm64_xen_414_and_dom0(vm: Machine) -> TestResult {
    // archive of file from https://deb.debian.org/debian/pool/main/x/xen/
    let xen = vm
        .env()
        .archive_extract_as(&XEN_4_14, Format::Deb, Some("boot/xen-4.14-arm64"))?;
    launch_xen(vm, &xen)
}

#[asset]
static XEN_4_15: Asset = Asset::new(
    "https://share.linaro.org/downloadFile?id=jjjG4uTp2wuO4Ks",
    "2a9a8af8acf0231844657cc28baab95bd918b0ee2d493ee4ee6f8846e1358bc9",
);

#[qemu_test]
fn arm64_xen_415_and_dom0(vm: Machine) -> TestResult {
    let xen =
        vm.env()
            .archive_extract_as(&XEN_4_15, Format::Deb, Some("boot/xen-4.15-unstable"))?;
    launch_xen(vm, &xen)
}
