//! Port of QEMU's tests/functional/sparc64/test_sun4u.py: the advent calendar's Linux boots on sun4u up to its init scripts.

use qemu_fixtures::prelude::*;

#[asset]
static IMAGE: Asset = Asset::new(
    "https://qemu-advcal.gitlab.io/qac-best-of-multiarch/download/day23.tar.xz",
    "a3ed92450704af244178351afd0e769776e7decb298e95a63abfd9a6e3f6c854",
);

#[qemu_test]
fn sparc64_sun4u(mut vm: Machine) -> TestResult {
    vm.set_machine("sun4u")?;
    let kernel = vm.env().archive_extract(&IMAGE, "day23/vmlinux")?;
    vm.set_console();
    vm.arg("-kernel")
        .arg(&kernel)
        .args(["-append", "printk.time=0"]);
    vm.launch()?;
    vm.console().wait_for("Starting logging: OK")?;
    Ok(())
}
