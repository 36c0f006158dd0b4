//! 32-bit EDK2 from Debian's qemu-efi-arm on the virt board reaches the
//! UEFI shell and answers at it.

use qemu_fixtures::prelude::*;

static CODE: Installed = Installed::new("/usr/share/AAVMF/AAVMF32_CODE.fd", "qemu-efi-arm");
static VARS: Installed = Installed::new("/usr/share/AAVMF/AAVMF32_VARS.fd", "qemu-efi-arm");

#[qemu_test]
fn uefi_shell_answers(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    let pflash = edk2::pflash_args(vm.env(), &CODE, &VARS)?;
    vm.args(["-nic", "none"]).args(pflash).launch()?;
    edk2::shell_answers_echo(vm.console())?;
    Ok(())
}
