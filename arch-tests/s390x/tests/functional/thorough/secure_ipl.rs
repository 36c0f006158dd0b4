//! Port of QEMU's tests/functional/s390x/test_secure_ipl.py: a Fedora guest signs its stage3 and kernel and runs `zipl --secure`, then boots under KVM with secure-boot=on and the certificate from virtio-blk-ccw and -pci, verified.

use std::ffi::OsStr;
use std::path::PathBuf;

use qemu_fixtures::prelude::*;

#[asset]
static F40_QCOW2: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora-secondary/releases/40/Server/s390x/images/Fedora-Server-KVM-40-1.14.s390x.qcow2",
    "091c232a7301be14e19c76ce9a0c1cbd2be2c4157884a731e1fc4f89e7455a5f",
);

const ROOT_PASSWORD: &str = "fedora40password";
const PROMPT: &str = "[root@localhost ~]#";

/// What the setup leaves for the verifying boot: the signed image (an
/// overlay of the asset) and the certificate.
struct Prepared {
    qcow2_path: PathBuf,
    cert_path: PathBuf,
}

/// Skips unless the host CPU model exposes the Secure IPL facilities.
fn require_host_secure_ipl_support(vm: &mut Machine) -> TestResult {
    let expansion = vm.cmd(
        "query-cpu-model-expansion",
        json!({"model": {"name": "host"}, "type": "full"}),
    )?;
    let props = &expansion["model"]["props"];
    let missing: Vec<&str> = ["sipl", "sclaf", "cstore"]
        .into_iter()
        .filter(|feature| !props[*feature].as_bool().unwrap_or(false))
        .collect();
    if !missing.is_empty() {
        return Err(Skip::new(format!(
            "Host CPU does not support Secure IPL: missing feature(s): {}. Secure IPL requires a z16+ host.",
            missing.join(", ")
        ))
        .into());
    }
    Ok(())
}

/// Upstream's `setup_s390x_secure_ipl`: a first boot sets the root
/// password, makes a certificate, signs stage3 and the kernel, runs zipl
/// and hands the certificate to the host. Upstream shares it between its
/// two methods; nextest runs each test alone, so each prepares its own.
fn setup_s390x_secure_ipl(vm: &mut Machine) -> Result<Prepared, TestError> {
    vm.require_netdev("user")?;
    let mut temp_vm = vm.sibling("sipl_setup");
    temp_vm.set_machine("s390-ccw-virtio")?;
    let asset_path = vm.env().fetch(&F40_QCOW2)?;
    let qcow2_path = vm.env().scratch_file(["f40.qcow2"]);
    let (backing, overlay) = (asset_path.as_os_str(), qcow2_path.as_os_str());
    vm.env().run_qemu_img([
        OsStr::new("create"),
        "-f".as_ref(),
        "qcow2".as_ref(),
        "-b".as_ref(),
        backing,
        "-F".as_ref(),
        "qcow2".as_ref(),
        overlay,
    ])?;
    temp_vm.set_console();
    temp_vm.args(["-nographic", "-accel", "kvm", "-m", "1024", "-drive"]);
    temp_vm.arg(format!(
        "id=drive0,if=none,format=qcow2,file={}",
        qcow2_path.display()
    ));
    temp_vm.args(["-device", "virtio-blk-ccw,drive=drive0,bootindex=1"]);
    temp_vm.launch()?;
    require_host_secure_ipl_support(&mut temp_vm)?;

    let console = temp_vm.console();
    // Initial root account setup (Fedora's first boot screen).
    console.wait_for("Please make a selection from the above")?;
    console.exec_command_and_wait_for_pattern("4", "Password:", None)?;
    console.exec_command_and_wait_for_pattern(ROOT_PASSWORD, "Password (confirm):", None)?;
    console.exec_command_and_wait_for_pattern(
        ROOT_PASSWORD,
        "Please make a selection from the above",
        None,
    )?;
    // Login as root.
    console.exec_command_and_wait_for_pattern("c", "localhost login:", None)?;
    console.exec_command_and_wait_for_pattern("root", "Password:", None)?;
    console.exec_command_and_wait_for_pattern(ROOT_PASSWORD, PROMPT, None)?;

    // Generate an x509 certificate.
    console.exec_command_and_wait_for_pattern("openssl version", "OpenSSL 3.2.1 30", None)?;
    console.exec_command_and_wait_for_pattern(
        r#"openssl req -new -x509 -newkey rsa:2048 -keyout mykey.pem -outform PEM -out mycert.pem -days 36500 -subj "/CN=My Name/" -nodes -verbose"#,
        "Writing private key to 'mykey.pem'",
        None,
    )?;
    // Sign the stage3 binary and the kernel, with kernel-devel's sign-file.
    console.exec_command_and_wait_for_pattern(
        "sudo dnf install kernel-devel-$(uname -r) -y",
        "Complete!",
        None,
    )?;
    console.wait_for(PROMPT)?;
    console.exec_command_and_wait_for_pattern(
        "ls /usr/src/kernels/$(uname -r)/scripts/",
        "sign-file",
        None,
    )?;
    console.exec_command(
        "/usr/src/kernels/$(uname -r)/scripts/sign-file sha256 mykey.pem mycert.pem /lib/s390-tools/stage3.bin",
    )?;
    console.wait_for(PROMPT)?;
    console.exec_command(
        "/usr/src/kernels/$(uname -r)/scripts/sign-file sha256 mykey.pem mycert.pem /boot/vmlinuz-$(uname -r)",
    )?;
    console.wait_for(PROMPT)?;
    // Prepare for secure boot.
    console.exec_command_and_wait_for_pattern("zipl --secure 1 -VV", "Done.", None)?;

    // Extract the certificate to the host; its first line is the echo.
    let out = console.exec_command_and_wait_for_pattern(
        "cat mycert.pem",
        "-----END CERTIFICATE-----",
        None,
    )?;
    let cert = out.text().lines().skip(1).collect::<Vec<_>>().join("\n");
    vm.env().log(&cert);
    let cert_path = vm.env().scratch_file(["mycert.pem"]);
    std::fs::write(&cert_path, cert)
        .map_err(|err| TestError::io(format!("writing {}", cert_path.display()), err))?;

    temp_vm.shutdown()?;
    Ok(Prepared {
        qcow2_path,
        cert_path,
    })
}

/// Upstream's `verify_s390x_secure_ipl`: booting from `boot_dev_bus`
/// verifies two components, and the guest reports secure boot.
fn verify_s390x_secure_ipl(vm: &Machine, prepared: &Prepared, boot_dev_bus: &str) -> TestResult {
    let mut vm = vm.sibling(&format!("sipl_test_vblk_{boot_dev_bus}"));
    vm.set_machine("s390-ccw-virtio")?;
    vm.set_console();
    vm.args(["-nographic", "-machine"]);
    vm.arg(format!(
        "s390-ccw-virtio,secure-boot=on,boot-certs.0.path={}",
        prepared.cert_path.display()
    ));
    vm.args(["-accel", "kvm", "-m", "1024", "-drive"]);
    vm.arg(format!(
        "id=drive1,if=none,format=qcow2,file={}",
        prepared.qcow2_path.display()
    ));
    vm.args([
        "-device",
        &format!("virtio-blk-{boot_dev_bus},drive=drive1,bootindex=1"),
    ]);
    vm.launch()?;

    let console = vm.console();
    // Two verified components.
    console.wait_for("Verified component")?;
    console.wait_for("Verified component")?;
    // Log in and check the guest booted with secure boot.
    console.wait_for("localhost login:")?;
    console.exec_command_and_wait_for_pattern("root", "Password:", None)?;
    console.exec_command_and_wait_for_pattern(ROOT_PASSWORD, PROMPT, None)?;
    console.exec_command_and_wait_for_pattern("cat /sys/firmware/ipl/secure", "1", None)?;
    vm.shutdown()?;
    Ok(())
}

#[qemu_test]
fn s390x_secure_ipl_ccw(mut vm: Machine) -> TestResult {
    skip::big_data()?;
    vm.require_accelerator("kvm")?;
    let prepared = setup_s390x_secure_ipl(&mut vm)?;
    verify_s390x_secure_ipl(&vm, &prepared, "ccw")
}

#[qemu_test]
fn s390x_secure_ipl_pci(mut vm: Machine) -> TestResult {
    skip::big_data()?;
    vm.require_accelerator("kvm")?;
    let prepared = setup_s390x_secure_ipl(&mut vm)?;
    verify_s390x_secure_ipl(&vm, &prepared, "pci")
}
