//! The Malta helpers shared by the four `test_malta.py` ports, against a
//! guest that prints what a wheezy shell would: the common commands wait
//! for each answer and the prompt after it, in upstream's order.

use std::time::Duration;

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::console::{ConsoleError, WaitTimeout};
use qemu_fixtures::vm::guest::Then;

use crate::support::boot_message;

/// Each answer of `mips_run_common_commands`, a prompt after it.
const ANSWERS: [&str; 9] = [
    "mips",
    "timer",
    "serial",
    "ata_piix",
    "rtc",
    "input",
    "fb",
    " : serial",
    " : ata_piix",
];

#[qemu_test]
fn common_commands_pass_when_every_answer_comes(mut vm: Machine) -> TestResult {
    let shell: String = ANSWERS
        .iter()
        .map(|answer| format!("{answer}\r\n# "))
        .collect();
    boot_message(&mut vm, &shell, Then::Halt)?;
    vm.launch()?;
    malta::mips_run_common_commands(vm.console(), "#")?;
    Ok(())
}

#[qemu_test]
fn common_commands_fail_naming_the_answer_that_never_came(mut vm: Machine) -> TestResult {
    let shell: String = ANSWERS
        .iter()
        .filter(|answer| **answer != "rtc")
        .map(|answer| format!("{answer}\r\n# "))
        .collect();
    boot_message(&mut vm, &shell, Then::Halt)?;
    vm.launch()?;
    vm.console()
        .set_timeout(WaitTimeout::wall(Duration::from_secs(2)));
    let err = malta::mips_run_common_commands(vm.console(), "#").unwrap_err();
    ensure!(
        matches!(&err, ConsoleError::Timeout { pattern, .. } if pattern == "rtc"),
        "expected a timeout waiting for \"rtc\": {err}"
    );
    Ok(())
}

#[test]
fn wheezy_defaults_are_upstreams_keyword_defaults() {
    let wheezy = malta::Wheezy::new("/boot/initrd.img-3.2.0-4-4kc-malta", "ff0c");
    assert_eq!((wheezy.nic, wheezy.cpuinfo), ("pcnet", "MIPS 24Kc"));
}

#[test]
fn wheezy_keywords_override_one_default_each() {
    let wheezy = malta::Wheezy::new("/boot/initrd.img-3.2.0-4-4kc-malta", "ff0c");
    let e1000 = wheezy.nic("e1000");
    assert_eq!((e1000.nic, e1000.cpuinfo), ("e1000", "MIPS 24Kc"));
    let kc20 = wheezy.cpuinfo("MIPS 20Kc");
    assert_eq!((kc20.nic, kc20.cpuinfo), ("pcnet", "MIPS 20Kc"));
    assert_eq!(kc20.dl_file, "/boot/initrd.img-3.2.0-4-4kc-malta");
}
