//! Port of QEMU's tests/functional/arm/test_realview.py: OpenWrt boots on realview-eb-mpcore, brings its network up and pings the host.

use qemu_fixtures::prelude::*;

#[asset]
static REALVIEW_MPCORE: Asset = Asset::new(
    "https://archive.openwrt.org/chaos_calmer/15.05.1/realview/generic/openwrt-15.05.1-realview-vmlinux-initramfs.elf",
    "d3a01037f33e7512d46d50975588d5c3a0e0cbf25f37afab44775c2a2be523e6",
);

#[qemu_test]
fn realview_ep_mpcore(mut vm: Machine) -> TestResult {
    vm.require_netdev("user")?;
    vm.set_machine("realview-eb-mpcore")?;
    let kernel = vm.env().fetch(&REALVIEW_MPCORE)?;
    vm.set_console();
    let kernel_param = "console=ttyAMA0 mem=128M quiet";
    vm.arg("-kernel")
        .arg(&kernel)
        .args(["-append", kernel_param]);
    vm.launch()?;
    linux::wait_for_console_pattern(&mut vm, "Please press Enter to activate")?;
    let prompt = ":/#";
    let console = vm.console();
    console.exec_command_and_wait_for_pattern("", prompt, None)?;
    console.exec_command_and_wait_for_pattern("dmesg", kernel_param, None)?;
    linux::wait_for_console_pattern(&mut vm, prompt)?;
    vm.console().exec_command_and_wait_for_pattern(
        "while ! dmesg | grep \"br-lan: port 1(eth0) entered\" ; do sleep 1 ; done",
        "entered forwarding state",
        None,
    )?;
    linux::wait_for_console_pattern(&mut vm, prompt)?;
    vm.console().exec_command_and_wait_for_pattern(
        "while ! ifconfig | grep \"10.0.2.15\" ; do sleep 1 ; done",
        "addr:10.0.2.15",
        None,
    )?;
    linux::wait_for_console_pattern(&mut vm, prompt)?;
    vm.console().exec_command_and_wait_for_pattern(
        "ping -c 1 10.0.2.2",
        "1 packets received, 0% packet loss",
        None,
    )?;
    Ok(())
}
