//! Port of QEMU's tests/functional/arm/test_bflt.py: qemu-arm loads the bFLT busybox of an STM32 root file system and runs it.

use qemu_fixtures::prelude::*;

#[asset]
static ROOTFS: Asset = Asset::new(
    "https://elinux.org/images/5/51/Stm32_mini_rootfs.cpio.bz2",
    "eefb788e4980c9e8d6c9d60ce7d15d4da6bf4fbc6a80f487673824600d5ba9cc",
);

// Upstream's skipIfMissingCommands('cpio') is not needed: the archive is
// unpacked in-process.
#[qemu_test]
fn stm32(env: std::sync::Arc<TestEnv>) -> TestResult {
    skip::untrusted()?;
    let user = User::new(&*env)?;
    // See https://elinux.org/STM32#User_Space
    let busybox_path = env.archive_extract(&ROOTFS, "bin/busybox")?;
    let res = user.run_cmd::<&str>(&busybox_path, &[])?;
    let ver = "BusyBox v1.24.0.git (2015-02-03 22:17:13 CET) multi-call binary.";
    ensure!(res.stdout.contains(ver), "busybox said {res:?}");
    let res = user.run_cmd(&busybox_path, &["uname", "-a"])?;
    let unm = "armv7l GNU/Linux";
    ensure!(res.stdout.contains(unm), "busybox uname -a said {res:?}");
    Ok(())
}
