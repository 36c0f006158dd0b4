//! The xmaton session of upstream's `MicroblazeMachine`, against a guest printing its transcript: each wait in upstream's order and the commands typed.

use qemu_fixtures::guests::microblaze::{XMATON_MD5, xmaton_session};
use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::guest::Then;

use crate::support::boot_message;

#[qemu_test]
fn xmaton_session_logs_in_and_checks_the_tftp_download(mut vm: Machine) -> TestResult {
    let transcript = format!(
        "Welcome to QEMU Advent Calendar 2023\r\nbuildroot login: root\r\n# \
         tftp -g -r xmaton.png 10.0.2.2 ; md5sum xmaton.png\r\n{XMATON_MD5}  xmaton.png\r\n# "
    );
    boot_message(&mut vm, &transcript, Then::Halt)?;
    vm.launch()?;
    xmaton_session(&mut vm)?;
    let base = std::fs::read_to_string(vm.env().log_file(["base.log"]))
        .map_err(|err| TestError::io("reading base.log", err))?;
    let sent: Vec<&str> = base
        .lines()
        .filter_map(|line| line.split_once("console: send ").map(|(_, text)| text))
        .collect();
    ensure!(
        sent == [
            r#""root\r""#,
            r#""tftp -g -r xmaton.png 10.0.2.2 ; md5sum xmaton.png\r""#,
        ],
        "typed {sent:?}"
    );
    Ok(())
}

#[qemu_test]
fn xmaton_session_fails_without_the_picture(mut vm: Machine) -> TestResult {
    let transcript = "Welcome to QEMU Advent Calendar 2023\r\nbuildroot login: root\r\n# \
         tftp -g -r xmaton.png 10.0.2.2 ; md5sum xmaton.png\r\n\
         tftp: timeout\r\nmd5sum: xmaton.png: No such file or directory\r\n# ";
    // The guest exits once the tftp command is typed, as the real one
    // answers it: exiting right after printing, it could die before QMP
    // was up or before the test typed, under a loaded host.
    boot_message(
        &mut vm,
        transcript,
        Then::ExitAfterEnters {
            enters: 2,
            status: 0,
        },
    )?;
    vm.launch()?;
    let result = xmaton_session(&mut vm);
    ensure!(
        result
            .as_ref()
            .is_err_and(|err| !matches!(err, TestError::Skip(_))),
        "a guest without the picture passed: {result:?}"
    );
    Ok(())
}
