//! Port of QEMU's tests/functional/ppc/test_ppe42.py: the PPE42 instruction test image runs to its completion address (NIP fff80200) without stopping on a failure.

use qemu_fixtures::prelude::*;

#[asset]
static PPE42_TEST_IMAGE: Asset = Asset::new(
    "https://github.com/milesg-github/ppe42-tests/raw/refs/heads/main/images/ppe42-test.out",
    "03c1ac0fb7f6c025102a02776a93b35101dae7c14b75e4eab36a337e39042ea8",
);

#[qemu_test]
fn ppe42_instructions(mut vm: Machine) -> TestResult {
    vm.set_machine("ppe42_machine")?;
    vm.require_accelerator("tcg")?;
    let image_path = vm.env().fetch(&PPE42_TEST_IMAGE)?;
    vm.arg("-nographic");
    vm.arg("-device")
        .arg(format!("loader,file={}", image_path.display()));
    vm.args(["-device", "loader,addr=0xfff80040,cpu-num=0"]);
    vm.args(["-action", "panic=pause"]);
    vm.launch()?;
    // A failing test panics, which pauses the VM (a QMP STOP): that fails
    // the wait at once, as upstream's _wait_pass_fail.
    vm.wait_for_registers(&["NIP fff80200"])?;
    Ok(())
}
