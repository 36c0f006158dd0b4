//! OVMF, EDK2 for x86, from Debian's ovmf package on q35 reaches the UEFI
//! shell and answers at it.

use qemu_fixtures::prelude::*;

static CODE: Installed = Installed::new("/usr/share/OVMF/OVMF_CODE_4M.fd", "ovmf");
static VARS: Installed = Installed::new("/usr/share/OVMF/OVMF_VARS_4M.fd", "ovmf");

#[qemu_test]
fn uefi_shell_answers(mut vm: Machine) -> TestResult {
    vm.set_machine("q35")?;
    let pflash = edk2::pflash_args(vm.env(), &CODE, &VARS)?;
    vm.args(["-nic", "none"]).args(pflash).launch()?;
    edk2::shell_answers_echo(vm.console())?;
    Ok(())
}
