//! Port of QEMU's tests/functional/aarch64/test_virt_vbsa.py: the Arm VBSA conformance suite, from a UEFI FAT image and from the SystemReady ACS live image's Linux, passes on the virt machine.

use std::path::Path;
use std::process::{Command, Stdio};

use qemu_fixtures::assets::uncompress::{max_size, uncompress};
use qemu_fixtures::prelude::*;

#[asset]
static VBSA_EFI: Asset = Asset::new(
    "https://github.com/ARM-software/sysarch-acs/raw/refs/heads/main/prebuilt_images/VBSA/v25.12_VBSA_0.7.0/Vbsa.efi",
    "80f37d2fb86d152d95dec4d05ff099c9e47ee8a89314268e08056b0e1359e1fa",
);

#[asset]
static BSA_SHELL: Asset = Asset::new(
    "https://github.com/ARM-software/sysarch-acs/raw/refs/heads/main/prebuilt_images/VBSA/v25.12_VBSA_0.7.0/Shell.efi",
    "e526604f0d329b481c6a1f62f7a0db8ea24ce8178b2c6abda8e247425f38775c",
);

#[asset]
static SYSREADY_IMAGE: Asset = Asset::new(
    "https://github.com/ARM-software/arm-systemready/releases/download/v25.10_SR_3.1.0/systemready_acs_live_image.img.xz.zip",
    "df2c359de15784b1da6a8e6f3c98a053ee38ac0b3f241ccea62e17db092eb03a",
);

const ROOT_PROMPT: &str = "/ # ";

/// The class decorator `skipIfMissingCommands("mformat", "mcopy", "mmd")`.
fn require_mtools() -> Result<(), Skip> {
    skip::require_commands(&["mformat", "mcopy", "mmd"])
        .map_err(|skip| Skip::new(format!("{}: install Debian's mtools", skip.reason())))
}

fn wait_for_console_pattern(vm: &mut Machine, success: &str) -> TestResult {
    vm.console()
        .wait_for_console_pattern(success, Some("FAILED"))?;
    Ok(())
}

/// Upstream's `check_call` (and `check_output`): the tool's stdout, or a
/// failure quoting the command and what it printed.
fn check_output(program: &str, args: &[&str]) -> Result<String, TestError> {
    let shown = format!("{program} {}", args.join(" "));
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|err| TestError::io(format!("running {shown}"), err))?;
    ensure!(
        output.status.success(),
        "{shown}: {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Upstream's `append_firmware_blobs`: EDK2 code and a copy of its vars.
fn append_firmware_blobs(vm: &mut Machine) -> TestResult {
    let code_path = vm.env().build_file(["pc-bios", "edk2-aarch64-code.fd"])?;
    let vars_source = vm.env().build_file(["pc-bios", "edk2-aarch64-vars.fd"])?;
    let vars_path = vm.env().scratch_file(["vars.fd"]);
    std::fs::copy(&vars_source, &vars_path)
        .map_err(|err| TestError::io(format!("copying {}", vars_source.display()), err))?;
    vm.args([
        "-drive",
        &format!(
            "if=pflash,format=raw,readonly=on,file={}",
            code_path.display()
        ),
    ]);
    vm.args([
        "-drive",
        &format!("if=pflash,format=raw,file={}", vars_path.display()),
    ]);
    Ok(())
}

fn path(path: &Path) -> String {
    path.display().to_string()
}

#[qemu_test]
fn aarch64_vbsa_uefi_tests(mut vm: Machine) -> TestResult {
    require_mtools()?;
    vm.set_console();
    vm.set_machine("virt")?;
    vm.args(["-M", "virt,gic-version=max,virtualization=on"]);
    vm.args(["-cpu", "max", "-m", "1024"]);
    append_firmware_blobs(&mut vm)?;

    // Build an EFI FAT32 file-system for the UEFI tests
    let vbsa_efi = path(&vm.env().fetch(&VBSA_EFI)?);
    let bsa_shell = path(&vm.env().fetch(&BSA_SHELL)?);
    let img_path = path(&vm.env().scratch_file(["vbsa.img"]));
    vm.env()
        .run_qemu_img(["create", "-f", "raw", &img_path, "64M"])?;
    check_output("mformat", &["-i", &img_path, "-v", "VBSA", "::"])?;
    check_output("mmd", &["-i", &img_path, "::/EFI"])?;
    check_output("mmd", &["-i", &img_path, "::/EFI/BOOT"])?;
    check_output(
        "mcopy",
        &["-i", &img_path, &bsa_shell, "::/EFI/BOOT/BOOTAA64.EFI"],
    )?;
    check_output("mcopy", &["-i", &img_path, &vbsa_efi, "::/Vbsa.efi"])?;
    vm.args([
        "-drive",
        &format!("file={img_path},format=raw,if=none,id=drive0"),
    ]);
    vm.args(["-device", "virtio-blk-pci,drive=drive0"]);

    if let Err(err) = vm.launch() {
        let output = err.to_string();
        if output.contains("does not support providing Virtualization") {
            return Err(Skip::new("accelerator has no virtualization support").into());
        }
        vm.env()
            .log(format_args!("unhandled launch failure: {output}"));
        return Err(err.into());
    }
    // wait for EFI prompt
    wait_for_console_pattern(&mut vm, "Shell>")?;
    // Start the VBSA tests
    vm.console().exec_command_and_wait_for_pattern(
        "FS0:Vbsa.efi",
        "VBSA Architecture Compliance Suite",
        None,
    )?;
    wait_for_console_pattern(&mut vm, "VBSA tests complete. Reset the system.")
}

#[qemu_test]
fn aarch64_vbsa_linux_tests(mut vm: Machine) -> TestResult {
    require_mtools()?;
    skip::require_commands(&["sfdisk", "jq", "sed"])
        .map_err(|skip| Skip::new(format!("{}: install Debian's fdisk and jq", skip.reason())))?;
    vm.set_console();
    // Plain virt machine
    vm.set_machine("virt")?;
    vm.args(["-M", "virt,gic-version=max"]);
    vm.args(["-cpu", "max", "-m", "1024", "-smp", "4"]);
    append_firmware_blobs(&mut vm)?;

    // First fetch, decompress (twice) and prepare the disk image on an
    // NVME device (the kernel only has drivers for that).
    let disk_image_xz = vm.env().archive_extract_as(
        &SYSREADY_IMAGE,
        Format::Zip,
        Some("systemready_acs_live_image.img.xz"),
    )?;
    let disk_image = vm.env().scratch_file(["systemready_acs_live_image.img"]);
    uncompress(&disk_image_xz, &disk_image, Compression::Xz, max_size())
        .map_err(|err| TestError::check(err.to_string()))?;
    let disk_image = path(&disk_image);
    vm.args(["-device", "nvme,drive=hd,serial=QEMU_ROOT_SSD"]);
    vm.args([
        "-blockdev",
        &format!("driver=raw,node-name=hd,file.driver=file,file.filename={disk_image}"),
    ]);

    // Tweak grub.cfg default to avoid manually navigating grub
    let grub_cfg = path(&vm.env().scratch_file(["grub.cfg"]));
    let offset = check_output(
        "sh",
        &[
            "-c",
            &format!("sfdisk --json {disk_image} |jq '.partitiontable.partitions[0].start * 512'"),
        ],
    )?;
    let offset: u64 = offset.trim().parse().map_err(|_| {
        TestError::check(format!(
            "sfdisk and jq gave no partition offset: {offset:?}"
        ))
    })?;
    let fat = format!("{disk_image}@@{offset}");
    check_output("mcopy", &["-i", &fat, "::/EFI/BOOT/grub.cfg", &grub_cfg])?;
    let mut config = std::fs::read_to_string(&grub_cfg)
        .map_err(|err| TestError::io(format!("reading {grub_cfg}"), err))?;
    config.push_str("set default='Linux Execution Enviroment'");
    std::fs::write(&grub_cfg, config)
        .map_err(|err| TestError::io(format!("writing {grub_cfg}"), err))?;
    check_output(
        "mcopy",
        &["-D", "o", "-i", &fat, &grub_cfg, "::/EFI/BOOT/grub.cfg"],
    )?;

    // Launch QEMU and wait for grub and select the "Linux Execution
    // Environment" so we can launch the test.
    vm.launch()?;
    wait_for_console_pattern(&mut vm, ROOT_PROMPT)?;
    vm.console().exec_command_and_wait_for_pattern(
        "/usr/bin/bsa.sh --skip B_REP_1,B_IEP_1,B_PCIe_11,B_MEM_06",
        ROOT_PROMPT,
        None,
    )?;
    // Now we can shutdown
    vm.console()
        .exec_command_and_wait_for_pattern("halt -f", "reboot: System halted", None)?;
    vm.shutdown()?;

    // and extract the test logs
    let bsa_app_res = path(&vm.env().scratch_file(["BsaResultsApp.log"]));
    let bsa_kern_res = path(&vm.env().scratch_file(["BsaResultsKernel.log"]));
    check_output(
        "mcopy",
        &[
            "-i",
            &fat,
            "::acs_results/Linux/BsaResultsApp.log",
            &bsa_app_res,
        ],
    )?;
    check_output(
        "mcopy",
        &[
            "-i",
            &fat,
            "::acs_results/Linux/BsaResultsKernel.log",
            &bsa_kern_res,
        ],
    )?;

    // for now just check the kernel log for the result summary
    let log = std::fs::read_to_string(&bsa_kern_res)
        .map_err(|err| TestError::io(format!("reading {bsa_kern_res}"), err))?;
    for line in log.lines() {
        if let Some((desc, status)) = test_result(line) {
            vm.env().log(format_args!("Test: {desc} status: {status}"));
        }
        if let Some([total, _passed, failed]) = summary(line) {
            ensure!(failed == 0, "{failed} tests failed ({total})");
        }
    }
    Ok(())
}

/// Upstream's `\[.*\]\s+(.+): Result:\s+(\w+)`: a test's description
/// and status.
fn test_result(line: &str) -> Option<(&str, &str)> {
    let (head, status) = line.split_once(": Result:")?;
    let desc = head.get(head.rfind(']')? + 1..)?;
    let status = status.split_whitespace().next()?;
    let desc = desc.trim_start();
    (desc.len() < head.len() && !desc.is_empty()).then_some((desc, status))
}

/// Upstream's `Total Tests Run =\s*(\d+), Tests Passed =\s*(\d+), Tests
/// Failed =\s*(\d+)`: the three counts.
fn summary(line: &str) -> Option<[u64; 3]> {
    let rest = &line[line.find("Total Tests Run =")?..];
    let mut counts = [0; 3];
    let mut fields = rest.split(',');
    for (count, label) in
        counts
            .iter_mut()
            .zip(["Total Tests Run =", "Tests Passed =", "Tests Failed ="])
    {
        let field = fields.next()?.trim_start();
        let digits: String = field
            .strip_prefix(label)?
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        *count = digits.parse().ok()?;
    }
    Some(counts)
}

#[test]
fn reads_bsa_result_and_summary_lines() {
    let line = "[  12.3] PE_01: Check number of PEs: Result:  PASS";
    assert_eq!(
        test_result(line),
        Some(("PE_01: Check number of PEs", "PASS"))
    );
    let line = " Total Tests Run = 42, Tests Passed = 40, Tests Failed = 2";
    assert_eq!(summary(line), Some([42, 40, 2]));
    assert_eq!(summary("Total Tests Run = 4"), None);
}
