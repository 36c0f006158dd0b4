//! A BIOS that only the asset mirror serves: its URL is in the `.invalid`
//! domain, which never resolves, so the test passes only when
//! `QEMU_TEST_ASSET_MIRROR` points at a directory or server that has it by
//! hash. `tests/data/mirror` is such a directory; `.ci/run` uses it.
//! Without a mirror, the download fails and the test skips.

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::guest::{Then, x86_serial_rom};

const MESSAGE: &str = "This BIOS came from the asset mirror.\r\n";
const HASH: &str = "7f0b3151c3aa02d130fe61bc000187c033d4e34ab7e45479397b0395243c8c08";

#[asset]
static MIRRORED_BIOS: Asset = Asset::new(
    "https://assets.qemu-functional.invalid/mirror-only/message.rom",
    HASH,
);

#[qemu_test]
fn boots_a_bios_only_the_mirror_serves(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    let bios = vm.env().fetch(&MIRRORED_BIOS)?;
    vm.args(["-nodefaults", "-bios"]).arg(&bios).launch()?;
    vm.console().wait_for(MESSAGE.trim_end())?;
    Ok(())
}

/// The mirror's copy is the guest `qemu_fixtures::vm::guest` builds for the
/// message, so the hash above is not a magic number.
#[qemu_test]
fn the_mirror_copy_is_the_guest_it_claims(env: std::sync::Arc<TestEnv>) -> TestResult {
    let copy = env.data_file(["mirror", HASH]);
    let bytes = std::fs::read(&copy).unwrap_or_default();
    let guest = x86_serial_rom(MESSAGE.as_bytes(), Then::Halt);
    if bytes != guest {
        // Say how to refresh the mirror after the guest builder changed.
        let fresh = env.scratch_file(["message.rom"]);
        std::fs::write(&fresh, &guest).map_err(|err| TestError::io("writing the guest", err))?;
        return Err(TestError::check(format!(
            "{} is not the guest for {MESSAGE:?}: the guest builder changed; the current guest is {} \
             (rename it to its sha256 in tests/data/mirror and update HASH)",
            copy.display(),
            fresh.display()
        )));
    }
    Ok(())
}
