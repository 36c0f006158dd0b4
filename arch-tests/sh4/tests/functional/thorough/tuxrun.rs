//! Port of QEMU's tests/functional/sh4/test_tuxrun.py: TuxBoot's sh4 kernel boots its rootfs from IDE on r2d (sh7785), console on the second serial port, to a root shell, which halts.

use qemu_fixtures::prelude::*;
use tuxrun::TuxRun;

#[asset]
static SH4_KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/sh4/zImage",
    "29d9b2aba604a0f53a5dc3b5d0f2b8e35d497de1129f8ee5139eb6fdf0db692f",
);
#[asset]
static SH4_ROOTFS: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/sh4/rootfs.ext4.zst",
    "3592a7a3d5a641e8b9821449e77bc43c9904a56c30d45da0694349cfd86743fd",
);

#[qemu_test]
fn sh4(mut vm: Machine) -> TestResult {
    vm.set_machine("r2d")?.args(["-cpu", "sh7785"]);
    let tuxrun = TuxRun {
        root: "sda",
        console: "ttySC1",
        drive: "driver=ide-hd,bus=ide.0,unit=0",
        // the console comes on the second serial port
        console_index: 1,
        ..TuxRun::default()
    };
    // The test is currently too unstable to do much in userspace
    // so we skip common_tuxrun and do a minimal boot and shutdown.
    let fetched = tuxrun.fetch_tuxrun_assets(&vm, &SH4_KERNEL, &SH4_ROOTFS)?;
    tuxrun.prepare_run(&mut vm, &fetched);
    vm.launch()?;
    tuxrun.wait_for_console_pattern(&mut vm, "tuxtest login:")?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern("root", "root@tuxtest:~#", None)?;
    console.exec_command_and_wait_for_pattern("halt", "reboot: System halted", None)?;
    Ok(())
}
