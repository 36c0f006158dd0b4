//! The TuxRun flow against a guest that prints a TuxBoot session's
//! transcript: each wait in upstream's order, the commands typed, a kernel
//! panic failing the boot, and the qcow2 image the ppc64 tests add.

use qemu_fixtures::guests::tuxrun::{self, TuxRun};
use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::guest::Then;

use crate::support::boot_message;

/// What a TuxBoot guest prints through the whole flow, commands echoed.
const SESSION: &str = "Kernel command line: printk.time=0 root=/dev/vda console=ttyS0\r\n\
    Welcome to TuxTest\r\n\
    tuxtest login: root\r\n\
    root@tuxtest:~# cat /proc/interrupts\r\n  0:   42   IO-APIC   2-edge   timer\r\n\
    root@tuxtest:~# cat /proc/self/maps\r\n00400000-00401000 r-xp 00000000 fe:00 12 /bin/cat\r\n\
    root@tuxtest:~# uname -a\r\nLinux tuxtest 6.1.0 #1 SMP x86_64 GNU/Linux\r\n\
    root@tuxtest:~# halt\r\n\
    reboot: System halted\r\n";

#[qemu_test]
fn flow_logs_in_runs_the_checks_and_shuts_down(mut vm: Machine) -> TestResult {
    boot_message(&mut vm, SESSION, Then::Halt)?;
    vm.launch()?;
    let tuxrun = TuxRun {
        wait_for_shutdown: false,
        ..TuxRun::default()
    };
    tuxrun.run_tuxtest_tests(&mut vm)?;
    ensure!(vm.exit().is_some(), "QEMU still runs after the flow");
    let base = std::fs::read_to_string(vm.env().log_file(["base.log"]))
        .map_err(|err| TestError::io("reading base.log", err))?;
    let sent: Vec<&str> = base
        .lines()
        .filter_map(|line| line.split_once("console: send ").map(|(_, text)| text))
        .collect();
    ensure!(
        sent == [
            r#""root\r""#,
            r#""cat /proc/interrupts\r""#,
            r#""cat /proc/self/maps\r""#,
            r#""uname -a\r""#,
            r#""halt\r""#,
        ],
        "typed {sent:?}"
    );
    Ok(())
}

#[qemu_test]
fn flow_waits_for_a_guest_that_exits_after_halt(mut vm: Machine) -> TestResult {
    // The guest exits once `halt`, the fifth command, is typed: a guest
    // that exited right after printing would race the flow's typing.
    boot_message(
        &mut vm,
        SESSION,
        Then::ExitAfterEnters {
            enters: 5,
            status: 0,
        },
    )?;
    vm.launch()?;
    TuxRun::default().run_tuxtest_tests(&mut vm)?;
    let exit = vm.exit();
    // isa-debug-exit turns the guest's 0 into status 1.
    ensure!(
        exit.and_then(|exit| exit.code()) == Some(1),
        "QEMU ended {exit:?}"
    );
    Ok(())
}

#[qemu_test]
fn kernel_panic_before_the_login_prompt_fails_the_boot(mut vm: Machine) -> TestResult {
    boot_message(
        &mut vm,
        "Kernel command line: printk.time=0 root=/dev/sda console=ttyS0\r\n\
         Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\r\n\
         tuxtest login: ",
        Then::Halt,
    )?;
    vm.launch()?;
    let tuxrun = TuxRun {
        root: "sda",
        ..TuxRun::default()
    };
    match tuxrun.run_tuxtest_tests(&mut vm) {
        Err(err) => {
            let message = err.to_string();
            ensure!(
                err.kind() == "guest failure pattern"
                    && message.contains("Kernel panic - not syncing")
                    && message.contains("tuxtest login:"),
                "unexpected failure: {message}"
            );
            Ok(())
        }
        Ok(()) => Err(TestError::check("the flow passed a kernel panic")),
    }
}

#[qemu_test]
fn qcow2_image_is_created_with_upstreams_size_argument(vm: Machine) -> TestResult {
    let image = vm.env().scratch_file(["tuxrun_ppc64_.qcow2"]);
    // Upstream passes " 1G", with its space: qemu-img must take it.
    tuxrun::create_qcow2(vm.env(), &image, " 1G")?;
    let header = std::fs::read(&image)
        .map_err(|err| TestError::io(format!("reading {}", image.display()), err))?;
    ensure!(
        header.starts_with(b"QFI\xfb"),
        "{} is no qcow2 image",
        image.display()
    );
    // Bytes 24..32: the virtual size, big-endian.
    let size = u64::from_be_bytes(header[24..32].try_into().unwrap_or_default());
    ensure!(size == 1 << 30, "virtual size {size}");
    Ok(())
}
