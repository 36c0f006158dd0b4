//! The petalogix-s3adsp1800 boots of upstream's `MicroblazeMachine`
//! (tests/functional/microblaze/test_s3adsp1800.py), written once for the
//! microblaze crate and the microblazeel one, whose test inherits them.
//!
//! Python's helpers keep their names: [`do_ballerina_be_test`] and
//! [`do_xmaton_le_test`]. Each test file declares the advent calendar
//! images with `#[asset]` (upstream's microblazeel class re-declares them
//! for precaching, too) and hands them over.

use crate::assets::Asset;
use crate::harness::Machine;
use crate::harness::outcome::TestResult;

/// The board both helpers boot.
pub const MACHINE: &str = "petalogix-s3adsp1800";
/// The last message the big-endian kernel reliably prints: it sometimes
/// gets stuck after it (upstream: "needs some investigation by a
/// microblaze wizard one day").
pub const BALLERINA_READY: &str = "This architecture does not have kernel memory protection";
/// What the xmaton guest's `md5sum` prints for the picture it fetched
/// from the host over TFTP.
pub const XMATON_MD5: &str = "821cd3cab8efd16ad6ee5acc3642a8ea";

/// Python's `do_ballerina_be_test`: day17's big-endian kernel boots, with
/// `-M endianness=big` when `force_endianness`.
pub fn do_ballerina_be_test(
    vm: &mut Machine,
    image_be: &Asset,
    force_endianness: bool,
) -> TestResult {
    vm.set_machine(MACHINE)?;
    let image = vm.env().archive_extract_all(image_be)?;
    vm.set_console();
    vm.arg("-kernel")
        .arg(image.join("day17").join("ballerina.bin"));
    if force_endianness {
        vm.args(["-M", "endianness=big"]);
    }
    vm.launch()?;
    vm.console().wait_for(BALLERINA_READY)?;
    Ok(())
}

/// Python's `do_xmaton_le_test`: day13's little-endian buildroot boots
/// (`-M endianness=little` when `force_endianness`) with day13's folder as
/// the usernet TFTP root, and [`xmaton_session`] runs.
pub fn do_xmaton_le_test(vm: &mut Machine, image_le: &Asset, force_endianness: bool) -> TestResult {
    vm.require_netdev("user")?;
    vm.set_machine(MACHINE)?;
    let image = vm.env().archive_extract_all(image_le)?;
    vm.set_console();
    let tftproot = image.join("day13");
    vm.arg("-kernel").arg(tftproot.join("xmaton.bin"));
    if force_endianness {
        vm.args(["-M", "endianness=little"]);
    }
    vm.args(["-nic", &format!("user,tftp={}", tftproot.display())]);
    vm.launch()?;
    xmaton_session(vm)
}

/// What the xmaton guest does once launched: its banner, root's login,
/// then `xmaton.png` fetched from the host over TFTP and its md5 checked.
pub fn xmaton_session(vm: &mut Machine) -> TestResult {
    let console = vm.console();
    console.wait_for("QEMU Advent Calendar 2023")?;
    console.wait_for("buildroot login:")?;
    console.exec_command_and_wait_for_pattern("root", "#", None)?;
    console.exec_command_and_wait_for_pattern(
        "tftp -g -r xmaton.png 10.0.2.2 ; md5sum xmaton.png",
        XMATON_MD5,
        None,
    )?;
    Ok(())
}
