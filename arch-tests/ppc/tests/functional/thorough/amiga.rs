//! Port of QEMU's tests/functional/ppc/test_amiga.py: the AmigaOne's U-Boot, cut from Hyperion's firmware updater floppy, starts and probes its flash.

use qemu_fixtures::guests::firmware;
use qemu_fixtures::prelude::*;

#[asset]
static IMAGE: Asset = Asset::new(
    "https://www.hyperion-entertainment.com/index.php/downloads?view=download&format=raw&file=25",
    "8ff39330ba47d4f64de4ee8fd6809e9c010a9ef17fe51e95c3c1d53437cb481f",
);

#[qemu_test]
fn ppc_amigaone(mut vm: Machine) -> TestResult {
    vm.require_accelerator("tcg")?;
    vm.set_machine("amigaone")?;
    // A1Firmware_Floppy_05-Mar-2005.zip
    let updater =
        vm.env()
            .archive_extract_as(&IMAGE, Format::Zip, Some("floppy_edition/updater.image"))?;
    let bios = firmware::tail_copy(vm.env(), &updater, 524288, "u-boot-amigaone.bin")?;
    vm.set_console();
    vm.arg("-bios").arg(&bios);
    vm.launch()?;
    vm.console().wait_for("FLASH:")?;
    Ok(())
}
