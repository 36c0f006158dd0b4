//! Port of QEMU's tests/functional/ppc/test_virtex_ml507.py: the advent calendar's Linux boots on the virtex-ml507 board with its device tree.

use qemu_fixtures::prelude::*;

#[asset]
static IMAGE: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day08.tar.xz",
    "cefe5b8aeb5e9d2d1d4fd22dcf48d917d68d5a765132bf2ddd6332dc393b824c",
);

#[qemu_test]
fn ppc_virtex_ml507(mut vm: Machine) -> TestResult {
    vm.require_accelerator("tcg")?;
    vm.set_machine("virtex-ml507")?;
    let image = vm.env().archive_extract_all(&IMAGE)?;
    vm.set_console();
    vm.arg("-kernel")
        .arg(image.join("hippo").join("hippo.linux"))
        .arg("-dtb")
        .arg(image.join("hippo").join("virtex440-ml507.dtb"))
        .args(["-m", "512"]);
    vm.launch()?;
    vm.console()
        .wait_for_console_pattern("QEMU advent calendar 2020", Some(linux::PANIC))?;
    Ok(())
}
