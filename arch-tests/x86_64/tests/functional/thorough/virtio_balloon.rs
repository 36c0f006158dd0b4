//! Port of QEMU's tests/functional/x86_64/test_virtio_balloon.py: virtio-balloon guest stats are unset before the guest runs, filled once its driver polls, and unset again after a reset caught in the BIOS (KVM only).

use std::time::{SystemTime, UNIX_EPOCH};

use qemu_fixtures::prelude::*;

const UNSET_STATS_VALUE: u64 = 18446744073709551615;
const DEFAULT_KERNEL_PARAMS: &str = "root=/dev/vda1 console=ttyS0 net.ifnames=0 rd.rescue quiet";

#[asset]
static KERNEL: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Server/x86_64/os/images/pxeboot/vmlinuz",
    "d4738d03dbbe083ca610d0821d0a8f1488bebbdccef54ce33e3adb35fda00129",
);
#[asset]
static INITRD: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Server/x86_64/os/images/pxeboot/initrd.img",
    "277cd6c7adf77c7e63d73bbb2cded8ef9e2d3a2f100000e92ff1f8396513cd8b",
);
#[asset]
static DISKIMAGE: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/31/Cloud/x86_64/images/Fedora-Cloud-Base-31-1.9.x86_64.qcow2",
    "e3c1b309d9203604922d6e255c2c5d098a309c2d46215d8fc026954f3c5c27a0",
);

/// Upstream's `mount_root`: the rescue shell, the root disk, a chroot into
/// it and the balloon driver.
fn mount_root(vm: &mut Machine) -> TestResult {
    linux::wait_for_console_pattern(vm, "Entering emergency mode.")?;
    let prompt = "# ";
    linux::wait_for_console_pattern(vm, prompt)?;
    // Synchronize on virtio-block driver creating the root device
    vm.console().exec_command_and_wait_for_pattern(
        "while ! (dmesg -c | grep vda:) ; do sleep 1 ; done",
        "vda1",
        None,
    )?;
    let console = vm.console();
    console.exec_command_and_wait_for_pattern("mount /dev/vda1 /sysroot", prompt, None)?;
    console.exec_command_and_wait_for_pattern("chroot /sysroot", prompt, None)?;
    console.exec_command_and_wait_for_pattern("modprobe virtio-balloon", prompt, None)?;
    Ok(())
}

fn guest_stats(vm: &mut Machine) -> Result<Value, TestError> {
    Ok(vm.cmd(
        "qom-get",
        json!({"path": "/machine/peripheral/balloon", "property": "guest-stats"}),
    )?)
}

/// Upstream's `assert_initial_stats`: no update yet, every stat unset.
fn assert_initial_stats(vm: &mut Machine) -> TestResult {
    let ret = guest_stats(vm)?;
    ensure!(ret["last-update"] == 0, "stats were updated: {ret}");
    let stats = ret["stats"].as_object().cloned().unwrap_or_default();
    for (name, val) in stats {
        ensure!(val == UNSET_STATS_VALUE, "{name} is set: {val}");
    }
    Ok(())
}

/// Upstream's `assert_running_stats`: an update after `then`, and the
/// stats this kernel sets are set, the others not.
fn assert_running_stats(vm: &mut Machine, then: u64) -> TestResult {
    // We told QEMU to refresh stats every 100ms, but there can be a delay
    // between the virtio-balloon driver being modprobed and seeing the
    // first stats refresh. Retry a few times for robustness under heavy
    // load: no event announces a refresh, so this polls, as upstream.
    let mut retries = 10;
    let mut ret = guest_stats(vm)?;
    while ret["last-update"] == 0 && retries > 0 {
        retries -= 1;
        std::thread::sleep(std::time::Duration::from_millis(500));
        ret = guest_stats(vm)?;
    }
    let when = ret["last-update"].as_u64().unwrap_or_default();
    let now = unix_time();
    ensure!(
        when > then && when < now,
        "last-update {when} not in ({then}, {now})"
    );
    let stats = ret["stats"].as_object().cloned().unwrap_or_default();
    // Stat we expect this particular Kernel to have set
    let expect_data = [
        "stat-available-memory",
        "stat-disk-caches",
        "stat-free-memory",
        "stat-htlb-pgalloc",
        "stat-htlb-pgfail",
        "stat-major-faults",
        "stat-minor-faults",
        "stat-swap-in",
        "stat-swap-out",
        "stat-total-memory",
    ];
    for (name, val) in stats {
        if expect_data.contains(&name.as_str()) {
            ensure!(val != UNSET_STATS_VALUE, "{name} is unset");
        } else {
            ensure!(val == UNSET_STATS_VALUE, "{name} is set: {val}");
        }
    }
    Ok(())
}

fn unix_time() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs())
        .unwrap_or_default()
}

#[qemu_test]
fn virtio_balloon_stats(mut vm: Machine) -> TestResult {
    vm.set_machine("q35")?;
    vm.require_accelerator("kvm")?;
    let kernel_path = vm.env().fetch(&KERNEL)?;
    let initrd_path = vm.env().fetch(&INITRD)?;
    let diskimage_path = vm.env().fetch(&DISKIMAGE)?;

    vm.set_console();
    vm.args(["-S", "-cpu", "max", "-m", "2G"]);
    // Slow down BIOS phase with boot menu, so that after a system reset,
    // we can reliably catch the clean stats again in BIOS phase before
    // the guest OS launches
    vm.args(["-boot", "menu=on", "-accel", "kvm"]);
    vm.args(["-device", "virtio-balloon,id=balloon"]);
    vm.args([
        "-drive",
        &format!(
            "file={},if=none,id=drv0,snapshot=on",
            diskimage_path.display()
        ),
    ]);
    vm.args([
        "-device",
        "virtio-blk-pci,bus=pcie.0,drive=drv0,id=virtio-disk0,bootindex=1",
    ]);
    vm.arg("-kernel")
        .arg(&kernel_path)
        .arg("-initrd")
        .arg(&initrd_path);
    vm.args(["-append", DEFAULT_KERNEL_PARAMS]);
    vm.launch()?;

    // Poll stats at 100ms
    vm.cmd(
        "qom-set",
        json!({"path": "/machine/peripheral/balloon",
               "property": "guest-stats-polling-interval", "value": 100}),
    )?;
    // We've not run any guest code yet, neither BIOS or guest, so stats
    // should be all default values
    assert_initial_stats(&mut vm)?;
    vm.cmd("cont", Value::Null)?;

    let then = unix_time();
    mount_root(&mut vm)?;
    assert_running_stats(&mut vm, then)?;

    // Race window between these two commands, where we rely on
    // '-boot menu=on' to (hopefully) ensure we're still executing the
    // BIOS when QEMU processes the 'stop', and thus have not loaded the
    // virtio-balloon driver in the guest
    vm.cmd("system_reset", Value::Null)?;
    vm.cmd("stop", Value::Null)?;

    // If the above assumption held, we're in BIOS now and stats should be
    // all back at their default values
    assert_initial_stats(&mut vm)?;
    vm.cmd("cont", Value::Null)?;

    let then = unix_time();
    mount_root(&mut vm)?;
    assert_running_stats(&mut vm, then)?;
    Ok(())
}
