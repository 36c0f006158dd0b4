//! Port of QEMU's tests/functional/mips64/test_malta.py: a Debian wheezy image boots on the big-endian 64-bit Malta (a 20Kc) to its login and passes upstream's wheezy checks.

use qemu_fixtures::prelude::*;

#[asset]
static WHEEZY_KERNEL: Asset = Asset::new(
    "https://people.debian.org/~aurel32/qemu/mips/vmlinux-3.2.0-4-5kc-malta",
    "3e4ec154db080b3f1839f04dde83120654a33e5e1716863de576c47cb94f68f6",
);

#[asset]
static WHEEZY_DISK: Asset = Asset::new(
    "https://people.debian.org/~aurel32/qemu/mips/debian_wheezy_mips_standard.qcow2",
    "de03599285b8382ad309309a6c4869f6c6c42a5cfc983342bab9ec0dfa7849a2",
);

#[qemu_test]
fn wheezy(mut vm: Machine) -> TestResult {
    skip::flaky("https://gitlab.com/qemu-project/qemu/-/issues/3109")?;
    let wheezy = malta::Wheezy::new(
        "/boot/initrd.img-3.2.0-4-5kc-malta",
        "d98b953bb4a41c0fc0fd8d19bbc691c08989ac52568c1d3054d92dfd890d3f06",
    )
    .cpuinfo("MIPS 20Kc");
    malta::check_wheezy(&mut vm, &WHEEZY_KERNEL, &WHEEZY_DISK, wheezy)
}
