//! Port of QEMU's tests/functional/aarch64/test_rme_sbsaref.py: a Realms stack on sbsa-ref (FEAT_RME) boots a host from the UEFI shell that runs a nested realm guest.

use qemu_fixtures::prelude::*;

// Built from https://github.com/p-b-o/qemu-linux-stack/tree/rme_sbsa_release
// with ./build.sh && ./archive_artifacts.sh out.tar.xz
#[asset]
static RME_STACK_SBSA: Asset = Asset::new(
    "https://github.com/p-b-o/qemu-linux-stack/releases/download/build/rme_sbsa_release-74b7fab.tar.xz",
    "82a754bacea04e709cb1cf2759d1d12d09fabd612e014961eb32368723c7920a",
);

#[qemu_test]
fn aarch64_rme_sbsaref(mut vm: Machine) -> TestResult {
    vm.set_machine("sbsa-ref")?;
    vm.require_accelerator("tcg")?;
    vm.require_netdev("user")?;
    vm.set_console();
    let rme_stack = linux_stack::extract_writable(vm.env(), &RME_STACK_SBSA)?;
    let out = rme_stack.join("out");
    let efi = out.join("EFI");
    let io = |what: &str, err| TestError::io(format!("{what} in {}", efi.display()), err);
    std::fs::create_dir_all(&efi).map_err(|err| io("creating", err))?;
    std::fs::copy(out.join("Image"), efi.join("Image")).map_err(|err| io("copying Image", err))?;
    std::fs::write(
        efi.join("startup.nsh"),
        "fs0:Image nokaslr root=/dev/vda rw init=/init -- /host/out/lkvm run --realm -m 256m \
         --restricted_mem --kernel /host/out/Image --disk /host/out/guest.ext4 \
         --params \"root=/dev/vda rw init=/init\"",
    )
    .map_err(|err| io("writing startup.nsh", err))?;
    vm.args([
        "-cpu",
        "max,x-rme=on",
        "-smp",
        "1",
        "-m",
        "2G",
        "-M",
        "sbsa-ref",
    ]);
    for pflash in ["SBSA_FLASH0.fd", "SBSA_FLASH1.fd"] {
        vm.arg("-drive").arg(format!(
            "file={},format=raw,if=pflash",
            out.join(pflash).display()
        ));
    }
    vm.arg("-drive")
        .arg(format!("file=fat:rw:{},format=raw", efi.display()));
    vm.arg("-drive").arg(format!(
        "format=raw,file={},if=virtio",
        out.join("host.ext4").display()
    ));
    vm.arg("-virtfs").arg(format!(
        "local,path={}/,mount_tag=host,security_model=mapped,readonly=off",
        rme_stack.display()
    ));
    vm.launch()?;
    // Wait for the host and the guest VM to boot.
    vm.console()
        .wait_for_console_pattern("root@guest", Some("Kernel panic"))?;
    Ok(())
}
