//! Port of QEMU's tests/functional/aarch64/test_rme_virt.py: a Realms stack on virt (FEAT_RME) boots a host that runs a nested realm guest.

use qemu_fixtures::prelude::*;

// Built from https://github.com/p-b-o/qemu-linux-stack/tree/rme_release
// with ./build.sh && ./archive_artifacts.sh out.tar.xz
#[asset]
static RME_STACK_VIRT: Asset = Asset::new(
    "https://github.com/p-b-o/qemu-linux-stack/releases/download/build/rme_release-2701e89.tar.xz",
    "8c40af440f5bd1518f7add7d0a43b39289865ee48430979db8024cb897a74790",
);

#[qemu_test]
fn aarch64_rme_virt(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    vm.require_accelerator("tcg")?;
    vm.require_netdev("user")?;
    vm.set_console();
    let rme_stack = linux_stack::extract_writable(vm.env(), &RME_STACK_VIRT)?;
    let out = rme_stack.join("out");
    vm.args(["-cpu", "max,x-rme=on", "-smp", "1", "-m", "2G"]);
    vm.args([
        "-M",
        "virt,acpi=off,virtualization=on,secure=on,gic-version=3",
    ]);
    vm.arg("-bios").arg(out.join("flash.bin"));
    vm.arg("-kernel").arg(out.join("Image"));
    vm.arg("-drive").arg(format!(
        "format=raw,file={},if=virtio",
        out.join("host.ext4").display()
    ));
    vm.arg("-virtfs").arg(format!(
        "local,path={}/,mount_tag=host,security_model=mapped,readonly=off",
        rme_stack.display()
    ));
    // nokaslr avoids a sporadic bug:
    // https://gitlab.com/qemu-project/qemu/-/issues/2823
    vm.args([
        "-append",
        "nokaslr root=/dev/vda rw init=/init -- /host/out/lkvm run --realm -m 256m \
         --restricted_mem --kernel /host/out/Image --disk /host/out/guest.ext4 \
         --params \"root=/dev/vda rw init=/init\"",
    ]);
    vm.launch()?;
    // Wait for the host and the guest VM to boot.
    vm.console()
        .wait_for_console_pattern("root@guest", Some("Kernel panic"))?;
    Ok(())
}
