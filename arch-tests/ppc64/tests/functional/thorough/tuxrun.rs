//! Port of QEMU's tests/functional/ppc64/test_tuxrun.py: TuxBoot's ppc64 and ppc64le kernels boot their rootfs from spapr-vscsi on a device-laden pseries (POWER10) to a root shell; halting it ends QEMU.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

fn ppc64_common_tuxrun(
    mut vm: Machine,
    kernel: &Asset,
    rootfs: &Asset,
    prefix: &str,
) -> TestResult {
    vm.set_machine("pseries")?.args(["-cpu", "POWER10"]);
    let tuxrun = TuxRun {
        console: "hvc0",
        root: "sda",
        extradev: Some("spapr-vscsi"),
        drive: "scsi-hd",
        ..TuxRun::default()
    };
    // add device args to command line.
    vm.require_netdev("user")?;
    vm.args(["-netdev", "user,id=vnet,hostfwd=:127.0.0.1:0-:22"])
        .args(["-device", "virtio-net,netdev=vnet"]);
    vm.args(["-netdev", r#"{"type":"user","id":"hostnet0"}"#])
        .args(["-device", r#"{"driver":"virtio-net-pci","netdev":"hostnet0","id":"net0","mac":"52:54:00:4c:e3:86","bus":"pci.0","addr":"0x9"}"#]);
    vm.args([
        "-device",
        r#"{"driver":"qemu-xhci","p2":15,"p3":15,"id":"usb","bus":"pci.0","addr":"0x2"}"#,
    ]);
    vm.args([
        "-device",
        r#"{"driver":"virtio-scsi-pci","id":"scsi0","bus":"pci.0","addr":"0x3"}"#,
    ]);
    vm.args([
        "-device",
        r#"{"driver":"virtio-serial-pci","id":"virtio-serial0","bus":"pci.0","addr":"0x4"}"#,
    ]);
    vm.args(["-device", r#"{"driver":"scsi-cd","bus":"scsi0.0","channel":0,"scsi-id":0,"lun":0,"device_id":"drive-scsi0-0-0-0","id":"scsi0-0-0-0"}"#]);
    vm.args([
        "-device",
        r#"{"driver":"virtio-balloon-pci","id":"balloon0","bus":"pci.0","addr":"0x6"}"#,
    ]);
    vm.args(["-audiodev", r#"{"id":"audio1","driver":"none"}"#]);
    vm.args([
        "-device",
        r#"{"driver":"usb-tablet","id":"input0","bus":"usb.0","port":"1"}"#,
    ]);
    vm.args([
        "-device",
        r#"{"driver":"usb-kbd","id":"input1","bus":"usb.0","port":"2"}"#,
    ]);
    vm.args([
        "-device",
        r#"{"driver":"VGA","id":"video0","vgamem_mb":16,"bus":"pci.0","addr":"0x7"}"#,
    ]);
    vm.args([
        "-object",
        r#"{"qom-type":"rng-random","id":"objrng0","filename":"/dev/urandom"}"#,
    ])
    .args([
        "-device",
        r#"{"driver":"virtio-rng-pci","rng":"objrng0","id":"rng0","bus":"pci.0","addr":"0x8"}"#,
    ]);
    vm.args(["-object", r#"{"qom-type":"cryptodev-backend-builtin","id":"objcrypto0","queues":1}"#])
        .args(["-device", r#"{"driver":"virtio-crypto-pci","cryptodev":"objcrypto0","id":"crypto0","bus":"pci.0","addr":"0xa"}"#]);
    vm.args([
        "-device",
        r#"{"driver":"spapr-pci-host-bridge","index":1,"id":"pci.1"}"#,
    ]);
    vm.args([
        "-device",
        r#"{"driver":"spapr-vscsi","id":"scsi1","reg":12288}"#,
    ]);
    vm.args(["-m", "1G,slots=32,maxmem=2G"])
        .args(["-object", "memory-backend-ram,id=ram1,size=1G"])
        .args(["-device", "pc-dimm,id=dimm1,memdev=ram1"]);

    // Create a temporary qcow2 and launch the test-case
    let qcow2 = vm.env().scratch_file([format!("{prefix}.qcow2")]);
    tuxrun::create_qcow2(vm.env(), &qcow2, " 1G")?;
    let drive = format!(
        "file={},format=qcow2,if=none,id=drive-virtio-disk1",
        qcow2.display()
    );
    vm.args(["-drive", &drive]).args([
        "-device",
        "virtio-blk-pci,bus=pci.0,addr=0xb,drive=drive-virtio-disk1,id=virtio-disk1,bootindex=2",
    ]);
    tuxrun.common_tuxrun(&mut vm, kernel, rootfs)
}

#[asset]
static PPC64_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/ppc64/vmlinux",
    "8219d5cb26e7654ad7826fe8aee6290f7c01eef44f2cd6d26c15fe8f99e1c17c",
);
#[asset]
static PPC64_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/ppc64/rootfs.ext4.zst",
    "b68e12314303c5dd0fef37ae98021299a206085ae591893e73557af99a02d373",
);

#[qemu_test]
fn ppc64(vm: Machine) -> TestResult {
    ppc64_common_tuxrun(vm, &PPC64_KERNEL, &PPC64_ROOTFS, "tuxrun_ppc64_")
}

#[asset]
static PPC64LE_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/ppc64le/vmlinux",
    "21aea1fbc18bf6fa7d8ca4ea48d4940b2c8363c077acd564eb47d769b7495279",
);
#[asset]
static PPC64LE_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/buildroot/20241119/ppc64le/rootfs.ext4.zst",
    "67d36a3f9597b738e8b7359bdf04500f4d9bb82fc35eaa65aa439d888b2392f4",
);

#[qemu_test]
fn ppc64le(vm: Machine) -> TestResult {
    ppc64_common_tuxrun(vm, &PPC64LE_KERNEL, &PPC64LE_ROOTFS, "tuxrun_ppc64le_")
}
