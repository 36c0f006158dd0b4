//! Port of QEMU's tests/functional/s390x/test_topology.py: the CPU topology of s390-ccw-virtio under KVM (drawers, books, sockets, cores, entitlement, dedication) as -smp, -device and QMP set it and as the guest's polarization requests change it.

use std::time::Duration;

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::{MachineError, QmpError};

/// Upstream's `event_timeout`.
const EVENT_TIMEOUT: Duration = Duration::from_secs(10);

const KERNEL_COMMON_COMMAND_LINE: &str = "printk.time=0 root=/dev/ram selinux=0 rdinit=/bin/sh";

#[asset]
static F35_KERNEL: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora-secondary/releases/35/Server/s390x/os/images/kernel.img",
    "1f2dddfd11bb1393dd2eb2e784036fbf6fc11057a6d7d27f9eb12d3edc67ef73",
);

#[asset]
static F35_INITRD: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora-secondary/releases/35/Server/s390x/os/images/initrd.img",
    "1100145fbca00240c8c372ae4b89b48c99844bc189b3dfbc3f481dc60055ca46",
);

/// What every method starts with: `set_machine`, `kernel_init` (KVM, the
/// Fedora kernel and initrd, `ctop=on`), the method's own `args`, launch
/// and `wait_until_booted`.
fn boot(vm: &mut Machine, args: &[&str]) -> TestResult {
    vm.set_machine("s390-ccw-virtio")?;
    // A VM that supports CPU topology: KVM only, not TCG.
    vm.require_accelerator("kvm")?;
    let kernel_path = vm.env().fetch(&F35_KERNEL)?;
    let initrd_path = vm.env().uncompress_as(&F35_INITRD, Compression::Xz)?;
    vm.set_console();
    vm.args([
        "-nographic",
        "-enable-kvm",
        "-cpu",
        "max,ctop=on",
        "-m",
        "512",
    ]);
    vm.arg("-kernel")
        .arg(&kernel_path)
        .arg("-initrd")
        .arg(&initrd_path);
    vm.args(["-append", KERNEL_COMMON_COMMAND_LINE]);
    vm.args(args).launch()?;
    linux::wait_for_console_pattern(vm, "no job control")?;
    Ok(())
}

/// [`boot`], then upstream's `system_init`: /proc and /sys mounted, the
/// dispatching mode (0, horizontal) read back.
fn boot_and_init(vm: &mut Machine, args: &[&str]) -> TestResult {
    boot(vm, args)?;
    vm.console().exec_command_and_wait_for_pattern(
        " mount proc -t proc /proc;\n                    mount sys -t sysfs /sys;\n                    cat /sys/devices/system/cpu/dispatching ",
        "0",
        None,
    )?;
    Ok(())
}

/// Upstream's `check_topology(c, s, b, d, e, t)`: the CPU with core-id `c`
/// sits in socket `s`, book `b`, drawer `d`, with entitlement `e` and
/// dedication `t`.
fn check_topology(
    vm: &mut Machine,
    c: u64,
    s: u64,
    b: u64,
    d: u64,
    e: &str,
    t: bool,
) -> TestResult {
    let cpus = vm.cmd("query-cpus-fast", Value::Null)?;
    for cpu in cpus.as_array().into_iter().flatten() {
        let props = &cpu["props"];
        if props["core-id"] == json!(c) {
            let place = [&props["socket-id"], &props["book-id"], &props["drawer-id"]];
            ensure!(
                place == [&json!(s), &json!(b), &json!(d)],
                "core {c}: socket, book, drawer are {place:?}, expected [{s}, {b}, {d}]"
            );
            let modifiers = [cpu.get("entitlement"), cpu.get("dedicated")];
            ensure!(
                modifiers == [Some(&json!(e)), Some(&json!(t))],
                "core {c}: entitlement, dedicated are {modifiers:?}, expected [{e:?}, {t}]"
            );
        }
    }
    Ok(())
}

/// `set-cpu-topology` with `arguments`, which QEMU must accept (upstream's
/// `assertEqual(res['return'], {})`).
fn set_topology(vm: &mut Machine, arguments: Value) -> TestResult {
    let returned = vm.cmd("set-cpu-topology", arguments.clone())?;
    ensure!(
        returned == json!({}),
        "set-cpu-topology {arguments} returned {returned}, expected {{}}"
    );
    Ok(())
}

/// `set-cpu-topology` with `arguments`, which QEMU must refuse with a
/// `GenericError`.
fn refused(vm: &mut Machine, arguments: Value) -> TestResult {
    match vm.cmd("set-cpu-topology", arguments.clone()) {
        Err(MachineError::Qmp(QmpError::Command { class, .. })) if class == "GenericError" => {
            Ok(())
        }
        Err(MachineError::Qmp(QmpError::Command { class, desc, .. })) => {
            Err(TestError::check(format!(
                "set-cpu-topology {arguments} failed with {class}: {desc}, expected GenericError"
            )))
        }
        Ok(returned) => Err(TestError::check(format!(
            "set-cpu-topology {arguments} returned {returned}, expected a GenericError"
        ))),
        Err(err) => Err(err.into()),
    }
}

/// The polarization as QMP reports it.
fn check_qmp_polarization(vm: &mut Machine, polarization: &str) -> TestResult {
    let res = vm.cmd("query-s390x-cpu-polarization", Value::Null)?;
    ensure!(
        res["polarization"] == polarization,
        "query-s390x-cpu-polarization says {res}, expected polarization {polarization}"
    );
    Ok(())
}

/// Upstream's `guest_set_dispatching`: the guest asks for a polarization,
/// QEMU reports the change, the guest reads it back.
fn guest_set_dispatching(vm: &mut Machine, dispatching: &str) -> TestResult {
    vm.console().exec_command(&format!(
        "echo {dispatching} > /sys/devices/system/cpu/dispatching"
    ))?;
    vm.event_wait_timeout("CPU_POLARIZATION_CHANGE", Value::Null, EVENT_TIMEOUT)?;
    vm.console().exec_command_and_wait_for_pattern(
        "cat /sys/devices/system/cpu/dispatching",
        dispatching,
        None,
    )?;
    Ok(())
}

/// Upstream's `check_polarization`: waits for the change to have reached
/// the guest kernel.
fn check_polarization(vm: &mut Machine, polarization: &str) -> TestResult {
    let command = [
        "timeout 1 sh -c 'while true",
        "do",
        "    syspath=\"/sys/devices/system/cpu/cpu0/polarization\"",
        "    polarization=\"$(cat \"$syspath\")\" || exit",
        &format!("    if [ \"$polarization\" = \"{polarization}\" ]; then"),
        "        exit 0",
        "    fi",
        "    sleep 0.01",
        // The searched-for strings mustn't show up in the command: '' obfuscates.
        "done' && echo succ''ess || echo fail''ure",
    ]
    .join("\n");
    vm.console()
        .exec_command_and_wait_for_pattern(&command, "success", Some("failure"))?;
    Ok(())
}

/// The simplest topology, with a single CPU.
#[qemu_test]
fn single(mut vm: Machine) -> TestResult {
    boot(&mut vm, &[])?;
    check_topology(&mut vm, 0, 0, 0, 0, "medium", false)
}

/// The implicit topology.
#[qemu_test]
fn default(mut vm: Machine) -> TestResult {
    boot(
        &mut vm,
        &["-smp", "13,drawers=2,books=2,sockets=3,cores=2,maxcpus=24"],
    )?;
    for (c, s, b, d) in [
        (0, 0, 0, 0),
        (1, 0, 0, 0),
        (2, 1, 0, 0),
        (3, 1, 0, 0),
        (4, 2, 0, 0),
        (5, 2, 0, 0),
        (6, 0, 1, 0),
        (7, 0, 1, 0),
        (8, 1, 1, 0),
        (9, 1, 1, 0),
        (10, 2, 1, 0),
        (11, 2, 1, 0),
        (12, 0, 0, 1),
    ] {
        check_topology(&mut vm, c, s, b, d, "medium", false)?;
    }
    Ok(())
}

/// CPU 0 moves from socket 0 to socket 2.
#[qemu_test]
fn r#move(mut vm: Machine) -> TestResult {
    boot(
        &mut vm,
        &["-smp", "1,drawers=2,books=2,sockets=3,cores=2,maxcpus=24"],
    )?;
    check_topology(&mut vm, 0, 0, 0, 0, "medium", false)?;
    set_topology(
        &mut vm,
        json!({"core-id": 0, "socket-id": 2, "entitlement": "low"}),
    )?;
    check_topology(&mut vm, 0, 2, 0, 0, "low", false)
}

/// CPUs defined with -device find their place in the topology.
#[qemu_test]
fn dash_device(mut vm: Machine) -> TestResult {
    boot(
        &mut vm,
        &[
            "-smp",
            "1,drawers=2,books=2,sockets=3,cores=2,maxcpus=24",
            "-device",
            "max-s390x-cpu,core-id=10",
            "-device",
            "max-s390x-cpu,core-id=1,socket-id=0,book-id=1,drawer-id=1,entitlement=low",
            "-device",
            "max-s390x-cpu,core-id=2,socket-id=0,book-id=1,drawer-id=1,entitlement=medium",
            "-device",
            "max-s390x-cpu,core-id=3,socket-id=1,book-id=1,drawer-id=1,entitlement=high",
            "-device",
            "max-s390x-cpu,core-id=4,socket-id=1,book-id=1,drawer-id=1",
            "-device",
            "max-s390x-cpu,core-id=5,socket-id=2,book-id=1,drawer-id=1,dedicated=true",
        ],
    )?;
    check_topology(&mut vm, 10, 2, 1, 0, "medium", false)?;
    check_topology(&mut vm, 1, 0, 1, 1, "low", false)?;
    check_topology(&mut vm, 2, 0, 1, 1, "medium", false)?;
    check_topology(&mut vm, 3, 1, 1, 1, "high", false)?;
    check_topology(&mut vm, 4, 1, 1, 1, "medium", false)?;
    check_topology(&mut vm, 5, 2, 1, 1, "high", true)
}

/// QEMU follows the guest's polarization change requests.
#[qemu_test]
fn polarization(mut vm: Machine) -> TestResult {
    boot_and_init(&mut vm, &[])?;
    check_qmp_polarization(&mut vm, "horizontal")?;
    check_topology(&mut vm, 0, 0, 0, 0, "medium", false)?;

    guest_set_dispatching(&mut vm, "1")?;
    check_qmp_polarization(&mut vm, "vertical")?;
    check_topology(&mut vm, 0, 0, 0, 0, "medium", false)?;

    guest_set_dispatching(&mut vm, "0")?;
    check_qmp_polarization(&mut vm, "horizontal")?;
    check_topology(&mut vm, 0, 0, 0, 0, "medium", false)
}

/// QEMU changes the entitlement after a guest request, and the guest sees it.
#[qemu_test]
fn entitlement(mut vm: Machine) -> TestResult {
    boot_and_init(&mut vm, &[])?;
    check_polarization(&mut vm, "horizontal")?;
    check_topology(&mut vm, 0, 0, 0, 0, "medium", false)?;

    guest_set_dispatching(&mut vm, "1")?;
    check_polarization(&mut vm, "vertical:medium")?;
    check_topology(&mut vm, 0, 0, 0, 0, "medium", false)?;

    for entitlement in ["low", "medium", "high"] {
        set_topology(&mut vm, json!({"core-id": 0, "entitlement": entitlement}))?;
        check_polarization(&mut vm, &format!("vertical:{entitlement}"))?;
        check_topology(&mut vm, 0, 0, 0, 0, entitlement, false)?;
    }

    guest_set_dispatching(&mut vm, "0")?;
    check_polarization(&mut vm, "horizontal")?;
    check_topology(&mut vm, 0, 0, 0, 0, "high", false)
}

/// A dedicated CPU's entitlement: kept while horizontal, high for the guest.
#[qemu_test]
fn dedicated(mut vm: Machine) -> TestResult {
    boot_and_init(&mut vm, &[])?;
    check_polarization(&mut vm, "horizontal")?;

    set_topology(&mut vm, json!({"core-id": 0, "dedicated": true}))?;
    check_topology(&mut vm, 0, 0, 0, 0, "high", true)?;
    check_polarization(&mut vm, "horizontal")?;

    guest_set_dispatching(&mut vm, "1")?;
    check_topology(&mut vm, 0, 0, 0, 0, "high", true)?;
    check_polarization(&mut vm, "vertical:high")?;

    guest_set_dispatching(&mut vm, "0")?;
    check_topology(&mut vm, 0, 0, 0, 0, "high", true)?;
    check_polarization(&mut vm, "horizontal")
}

/// Socket 0 of book 0 holds CPUs 0 and 1 and takes no third; socket 0 of
/// book 1 is free.
#[qemu_test]
fn socket_full(mut vm: Machine) -> TestResult {
    boot_and_init(
        &mut vm,
        &["-smp", "3,drawers=2,books=2,sockets=3,cores=2,maxcpus=24"],
    )?;
    refused(&mut vm, json!({"core-id": 2, "socket-id": 0, "book-id": 0}))?;
    set_topology(&mut vm, json!({"core-id": 2, "socket-id": 0, "book-id": 1}))
}

/// QEMU refuses to lower the entitlement of a dedicated CPU.
#[qemu_test]
fn dedicated_error(mut vm: Machine) -> TestResult {
    boot_and_init(&mut vm, &[])?;
    set_topology(&mut vm, json!({"core-id": 0, "dedicated": true}))?;
    check_topology(&mut vm, 0, 0, 0, 0, "high", true)?;

    guest_set_dispatching(&mut vm, "1")?;
    check_topology(&mut vm, 0, 0, 0, 0, "high", true)?;

    refused(
        &mut vm,
        json!({"core-id": 0, "entitlement": "low", "dedicated": true}),
    )?;
    refused(&mut vm, json!({"core-id": 0, "entitlement": "low"}))?;
    refused(
        &mut vm,
        json!({"core-id": 0, "entitlement": "medium", "dedicated": true}),
    )?;
    refused(&mut vm, json!({"core-id": 0, "entitlement": "medium"}))?;
    set_topology(
        &mut vm,
        json!({"core-id": 0, "entitlement": "low", "dedicated": false}),
    )?;
    set_topology(
        &mut vm,
        json!({"core-id": 0, "entitlement": "medium", "dedicated": false}),
    )
}

/// QEMU refuses to move a CPU to a nonexistent place.
#[qemu_test]
fn move_error(mut vm: Machine) -> TestResult {
    boot_and_init(&mut vm, &[])?;
    refused(&mut vm, json!({"core-id": 0, "drawer-id": 1}))?;
    refused(&mut vm, json!({"core-id": 0, "book-id": 1}))?;
    refused(&mut vm, json!({"core-id": 0, "socket-id": 1}))?;
    check_topology(&mut vm, 0, 0, 0, 0, "medium", false)
}
