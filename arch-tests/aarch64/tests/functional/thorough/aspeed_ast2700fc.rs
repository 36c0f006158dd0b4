//! Port of QEMU's tests/functional/aarch64/test_aspeed_ast2700fc.py: the Aspeed SDK v09.08 on the AST2700 full-core machine boots the BMC and the SSP and TSP Zephyr coprocessors, each answering on its own serial port.

use std::path::Path;

use qemu_fixtures::prelude::*;

#[asset]
static SDK_V908_AST2700: Asset = Asset::new(
    "https://github.com/AspeedTech-BMC/openbmc/releases/download/v09.08/ast2700-default-obmc.tar.gz",
    "eac3dc409b7ea3cd4b03d4792d3cebd469792ad893cb51e1d15f0fc20bd1e2cd",
);

fn do_test_aarch64_aspeed_sdk_start(vm: &mut Machine, image: &Path) -> TestResult {
    vm.require_netdev("user")?;
    vm.set_console();
    vm.args([
        "-device",
        "tmp105,bus=aspeed.i2c.bus.1,address=0x4d,id=tmp-test",
    ]);
    vm.args(["-device", "e1000e,netdev=net1,bus=pcie.2"]);
    vm.args(["-netdev", "user,id=net1"]);
    vm.arg("-drive")
        .arg(format!("file={},if=mtd,format=raw", image.display()));
    vm.args(["-net", "nic", "-net", "user", "-snapshot"]);
    vm.launch()?;
    Ok(())
}

fn verify_openbmc_boot_and_login(console: &mut Console, name: &str) -> TestResult {
    console.wait_for("U-Boot 2023.10")?;
    console.wait_for("Hit any key to stop autoboot")?;
    console.exec_command_and_wait_for_pattern("\n", "=>", None)?;
    aspeed::enable_ast2700_pcie2(console)?;
    console.wait_for("Starting kernel ...")?;
    console.wait_for(&format!("{name} login:"))?;
    aspeed::openbmc_login(console, name)
}

/// The SSP and TSP Zephyr images, started on CPUs 4 and 5.
fn load_ast2700fc_coprocessor(vm: &mut Machine, dir: &Path) {
    for (cpu_num, elf) in [(4, "zephyr-aspeed-ssp.elf"), (5, "zephyr-aspeed-tsp.elf")] {
        vm.arg("-device").arg(format!(
            "loader,file={},cpu-num={cpu_num}",
            dir.join(elf).display()
        ));
    }
}

/// The coprocessor behind serial port `index` answers at its `prompt`.
fn do_ast2700fc_coprocessor_test(
    vm: &mut Machine,
    name: &str,
    index: usize,
    prompt: &str,
) -> TestResult {
    *vm = aspeed::relaunch_on_console(vm, name, index)?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern("\n", prompt, None)?;
    console.exec_command_and_wait_for_pattern("version", "Zephyr version 3.7.1", None)?;
    console.exec_command_and_wait_for_pattern("md 72c02000 1", "[72c02000] 06010103", None)?;
    Ok(())
}

fn do_ast2700fc_ssp_test(vm: &mut Machine) -> TestResult {
    do_ast2700fc_coprocessor_test(vm, "ssp", 1, "ssp_tsp:~$")
}

fn do_ast2700fc_tsp_test(vm: &mut Machine) -> TestResult {
    do_ast2700fc_coprocessor_test(vm, "tsp", 2, "tsp:~$")
}

fn start_ast2700fc_test(vm: &mut Machine, dir: &Path) -> TestResult {
    let uboot = dir.join("u-boot-nodtb.bin");
    let uboot_size = std::fs::metadata(&uboot)
        .map_err(|err| TestError::io(format!("reading {}", uboot.display()), err))?
        .len();
    let uboot_dtb_load_addr = format!("{:#x}", 0x400000000 + uboot_size);
    aspeed::load_raw_images(
        vm,
        &[
            ("0x400000000", uboot),
            (&uboot_dtb_load_addr, dir.join("u-boot.dtb")),
            ("0x430000000", dir.join("bl31.bin")),
            ("0x430080000", dir.join("optee").join("tee-raw.bin")),
        ],
    );
    let ca35_core = 4;
    aspeed::load_entry(vm, 0..ca35_core);
    load_ast2700fc_coprocessor(vm, dir);
    do_test_aarch64_aspeed_sdk_start(vm, &dir.join("image-bmc"))
}

#[qemu_test]
fn aarch64_ast2700fc_sdk_v09_08(mut vm: Machine) -> TestResult {
    vm.set_machine("ast2700fc")?;
    vm.require_netdev("user")?;
    let images = vm.env().archive_extract_all(&SDK_V908_AST2700)?;
    let dir = images.join("ast2700-default");
    start_ast2700fc_test(&mut vm, &dir)?;
    verify_openbmc_boot_and_login(vm.console(), "ast2700-default")?;
    aspeed::ast2700_i2c_test(&mut vm, 1, "tmp-test")?;
    aspeed::ast2700_pcie_test(vm.console())?;
    do_ast2700fc_ssp_test(&mut vm)?;
    do_ast2700fc_tsp_test(&mut vm)
}

#[qemu_test]
fn aarch64_ast2700fc_sdk_vbootrom_v09_08(mut vm: Machine) -> TestResult {
    vm.set_machine("ast2700fc")?;
    let images = vm.env().archive_extract_all(&SDK_V908_AST2700)?;
    let dir = images.join("ast2700-default");
    vm.args(["-bios", "ast27x0_bootrom.bin"]);
    load_ast2700fc_coprocessor(&mut vm, &dir);
    do_test_aarch64_aspeed_sdk_start(&mut vm, &dir.join("image-bmc"))?;
    verify_openbmc_boot_and_login(vm.console(), "ast2700-default")?;
    do_ast2700fc_ssp_test(&mut vm)?;
    do_ast2700fc_tsp_test(&mut vm)
}
