//! Port of QEMU's tests/functional/aarch64/test_device_passthrough.py: a nested guest reads two NVMe disks passed through by VFIO group and by iommufd, and finds them identical to their images.

use std::io::Read;

use qemu_fixtures::prelude::*;

const GUEST_SCRIPT: &str = r#"
#!/usr/bin/env bash

set -euo pipefail
set -x

# find disks from nvme serial
dev_vfio=$(lsblk --nvme | grep vfio | cut -f 1 -d ' ')
dev_iommufd=$(lsblk --nvme | grep iommufd | cut -f 1 -d ' ')
pci_vfio=$(basename $(readlink -f /sys/block/$dev_vfio/../../../))
pci_iommufd=$(basename $(readlink -f /sys/block/$dev_iommufd/../../../))

# bind disks to vfio
for p in "$pci_vfio" "$pci_iommufd"; do
    if [ "$(cat /sys/bus/pci/devices/$p/driver_override)" == vfio-pci ]; then
        continue
    fi
    echo $p > /sys/bus/pci/drivers/nvme/unbind
    echo vfio-pci > /sys/bus/pci/devices/$p/driver_override
    echo $p > /sys/bus/pci/drivers/vfio-pci/bind
done

# boot nested guest and execute /host/nested_guest.sh
# one disk is passed through vfio group, the other, through iommufd
qemu-system-aarch64 \
-M virt \
-display none \
-serial stdio \
-cpu host \
-enable-kvm \
-m 1G \
-kernel /host/Image.gz \
-drive format=raw,file=/host/guest.ext4,if=virtio \
-append "root=/dev/vda init=/init -- bash /host/nested_guest.sh" \
-virtfs local,path=/host,mount_tag=host,security_model=mapped,readonly=off \
-device vfio-pci,host=$pci_vfio \
-object iommufd,id=iommufd0 \
-device vfio-pci,host=$pci_iommufd,iommufd=iommufd0
"#;

const NESTED_GUEST_SCRIPT: &str = r#"
#!/usr/bin/env bash

set -euo pipefail
set -x

image_vfio=/host/disk_vfio
image_iommufd=/host/disk_iommufd

dev_vfio=$(lsblk --nvme | grep vfio | cut -f 1 -d ' ')
dev_iommufd=$(lsblk --nvme | grep iommufd | cut -f 1 -d ' ')

# compare if devices are identical to original images
diff $image_vfio /dev/$dev_vfio
diff $image_iommufd /dev/$dev_iommufd

echo device_passthrough_test_ok
"#;

// https://github.com/pbo-linaro/qemu-linux-stack/tree/device_passthrough
// ($ ./build.sh && ./archive_artifacts.sh out.tar.xz): a defconfig kernel
// with IOMMUFD, VFIO_DEVICE_CDEV and ARM_SMMU_V3_IOMMUFD.
#[asset]
static DEVICE_PASSTHROUGH_STACK: Asset = Asset::new(
    "https://github.com/pbo-linaro/qemu-linux-stack/releases/download/build/device_passthrough-a9612a2.tar.xz",
    "f7d2f70912e7231986e6e293e1a2c4786dd02bec113a7acb6bfc619e96155455",
);

/// Python's `randbytes(size)`.
fn randbytes(size: u64) -> Result<Vec<u8>, TestError> {
    let mut bytes = Vec::new();
    std::fs::File::open("/dev/urandom")
        .and_then(|random| random.take(size).read_to_end(&mut bytes))
        .map_err(|err| TestError::io("reading /dev/urandom", err))?;
    Ok(bytes)
}

#[qemu_test]
fn aarch64_device_passthrough(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    vm.require_accelerator("tcg")?;
    vm.set_console();
    let stack = linux_stack::extract_writable(vm.env(), &DEVICE_PASSTHROUGH_STACK)?.join("out");
    let disk_vfio = stack.join("disk_vfio");
    let disk_iommufd = stack.join("disk_iommufd");
    // two random disks, and the scripts of the guest and the nested guest
    for (path, bytes) in [
        (&disk_vfio, randbytes(512)?),
        (&disk_iommufd, randbytes(1024)?),
        (&stack.join("guest.sh"), GUEST_SCRIPT.as_bytes().to_vec()),
        (
            &stack.join("nested_guest.sh"),
            NESTED_GUEST_SCRIPT.as_bytes().to_vec(),
        ),
    ] {
        std::fs::write(path, bytes)
            .map_err(|err| TestError::io(format!("writing {}", path.display()), err))?;
    }
    vm.args(["-cpu", "max", "-m", "2G"]);
    vm.args(["-M", "virt,virtualization=on,gic-version=max,iommu=smmuv3"]);
    vm.arg("-kernel").arg(stack.join("Image.gz"));
    vm.arg("-drive").arg(format!(
        "format=raw,file={}",
        stack.join("host.ext4").display()
    ));
    vm.arg("-drive").arg(format!(
        "file={},if=none,id=vfio,format=raw",
        disk_vfio.display()
    ));
    vm.args(["-device", "nvme,serial=vfio,drive=vfio"]);
    vm.arg("-drive").arg(format!(
        "file={},if=none,id=iommufd,format=raw",
        disk_iommufd.display()
    ));
    vm.args(["-device", "nvme,serial=iommufd,drive=iommufd"]);
    vm.arg("-virtfs").arg(format!(
        "local,path={}/,mount_tag=host,security_model=mapped,readonly=off",
        stack.display()
    ));
    // boot and run the guest script; init panics the kernel if it fails
    vm.args(["-append", "root=/dev/vda init=/init -- bash /host/guest.sh"]);
    vm.launch()?;
    vm.console()
        .wait_for_console_pattern("device_passthrough_test_ok", Some("Kernel panic"))?;
    Ok(())
}
