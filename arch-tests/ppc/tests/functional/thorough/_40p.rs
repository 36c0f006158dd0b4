//! Port of QEMU's tests/functional/ppc/test_40p.py: the PReP 40p boots IBM's factory firmware with NetBSD, and OpenBIOS with its memory size, NetBSD's boot loader and an old Linux.

use qemu_fixtures::prelude::*;

#[asset]
static BIOS: Asset = Asset::new(
    "http://ftpmirror.your.org/pub/misc/ftp.software.ibm.com/rs6000/firmware/7020-40p/P12H0456.IMG",
    "d957f79c73f760d1455d2286fcd901ed6d06167320eb73511b478a939be25b3f",
);
#[asset]
static NETBSD40: Asset = Asset::new(
    "https://archive.netbsd.org/pub/NetBSD-archive/NetBSD-4.0/prep/installation/floppy/generic_com0.fs",
    "f86236e9d01b3f0dd0f5d3b8d5bbd40c68e78b4db560a108358f5ad58e636619",
);
#[asset]
static NETBSD71: Asset = Asset::new(
    "https://archive.netbsd.org/pub/NetBSD-archive/NetBSD-7.1.2/iso/NetBSD-7.1.2-prep.iso?key=NetBSD",
    "cc7cb290b06aaa839362deb7bd9f417ac5015557db24088508330f76c3f825ec",
);
#[asset]
static SANDALFOOT: Asset = Asset::new(
    "http://www.juneau-lug.org/zImage.initrd.sandalfoot",
    "749ab02f576c6dc8f33b9fb022ecb44bf6a35a0472f2ea6a5e9956bc15933901",
);

/// IBM's 12H0455 PPS firmware (licensed material, hence untrusted)
/// boots NetBSD 4.0 from a floppy.
#[qemu_test]
fn factory_firmware_and_netbsd(mut vm: Machine) -> TestResult {
    skip::untrusted()?;
    vm.set_machine("40p")?;
    vm.require_accelerator("tcg")?;
    let bios = vm.env().fetch(&BIOS)?;
    let drive = vm.env().fetch(&NETBSD40)?;
    vm.set_console();
    vm.arg("-bios").arg(&bios).args([
        "-drive",
        &format!(
            "file={},format=raw,if=floppy,read-only=true",
            drive.display()
        ),
    ]);
    vm.launch()?;
    vm.console()
        .wait_for("NetBSD 4.0 (GENERIC) #0: Sun Dec 16 00:49:40 PST 2007")?;
    vm.console().wait_for("Model: IBM PPS Model 6015")?;
    Ok(())
}

#[qemu_test]
fn openbios_192m(mut vm: Machine) -> TestResult {
    vm.set_machine("40p")?;
    vm.require_accelerator("tcg")?;
    vm.set_console();
    vm.args(["-m", "192"]); // test fw_cfg
    vm.launch()?;
    let console = vm.console();
    console.wait_for(">> OpenBIOS")?;
    console.wait_for(">> Memory: 192M")?;
    console.wait_for(">> CPU type PowerPC,604")?;
    Ok(())
}

#[qemu_test]
fn openbios_and_netbsd(mut vm: Machine) -> TestResult {
    vm.set_machine("40p")?;
    vm.require_accelerator("tcg")?;
    let drive = vm.env().fetch(&NETBSD71)?;
    vm.set_console();
    vm.arg("-cdrom").arg(&drive).args(["-boot", "d"]);
    vm.launch()?;
    vm.console().wait_for("NetBSD/prep BOOT, Revision 1.9")?;
    Ok(())
}

#[qemu_test]
fn openbios_and_linux(mut vm: Machine) -> TestResult {
    vm.set_machine("40p")?;
    vm.require_accelerator("tcg")?;
    let drive = vm.env().fetch(&SANDALFOOT)?;
    vm.set_console();
    vm.arg("-cdrom").arg(&drive).args(["-boot", "d"]);
    vm.launch()?;
    let console = vm.console();
    console.wait_for("Please press Enter to activate this console.")?;
    console.exec_command_and_wait_for_pattern("\n", "#", None)?;
    console.exec_command_and_wait_for_pattern("uname -a", "Linux ppc 2.4.18", None)?;
    Ok(())
}
