//! Port of QEMU's tests/functional/ppc/test_mpc8544ds.py: the advent calendar's Linux boots on the mpc8544ds board.

use qemu_fixtures::prelude::*;

#[asset]
static IMAGE: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day04.tar.xz",
    "88bc83f3c9f3d633bcfc108a6342d677abca247066a2fb8d4636744a0d319f94",
);

#[qemu_test]
fn ppc_mpc8544ds(mut vm: Machine) -> TestResult {
    vm.require_accelerator("tcg")?;
    vm.set_machine("mpc8544ds")?;
    let kernel = vm.env().archive_extract(&IMAGE, "creek/creek.bin")?;
    vm.set_console();
    vm.arg("-kernel").arg(&kernel);
    vm.launch()?;
    vm.console()
        .wait_for_console_pattern("QEMU advent calendar 2020", Some(linux::PANIC))?;
    Ok(())
}
