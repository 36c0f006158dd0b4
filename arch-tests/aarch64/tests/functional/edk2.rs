//! EDK2 from Debian's qemu-efi-aarch64 on the virt board reaches the UEFI
//! shell and answers at it. No NIC: with one it tries network boot first.

use qemu_fixtures::prelude::*;

static CODE: Installed = Installed::new("/usr/share/AAVMF/AAVMF_CODE.fd", "qemu-efi-aarch64");
static VARS: Installed = Installed::new("/usr/share/AAVMF/AAVMF_VARS.fd", "qemu-efi-aarch64");

#[qemu_test]
fn uefi_shell_answers(mut vm: Machine) -> TestResult {
    vm.set_machine("virt")?;
    let pflash = edk2::pflash_args(vm.env(), &CODE, &VARS)?;
    vm.args(["-cpu", "cortex-a57", "-nic", "none"])
        .args(pflash)
        .launch()?;
    edk2::shell_answers_echo(vm.console())?;
    Ok(())
}
