//! The small helpers of upstream's `QemuSystemTest` against a real QEMU:
//! `set_vm_arg`, `get_qemu_img`, `event_wait`, screendumps, user-network TFTP roots and
//! host forwards.

use std::ffi::OsStr;
use std::net::TcpStream;
use std::sync::Arc;

use qemu_fixtures::prelude::*;

#[qemu_test]
fn set_vm_arg_replaces_the_value_qemu_then_uses(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.set_vm_arg("-m", "64").set_vm_arg("-m", "128");
    vm.launch()?;
    let summary = vm.cmd("query-memory-size-summary", Value::Null)?;
    ensure!(
        summary["base-memory"] == 128 << 20,
        "expected 128 MiB of RAM, QEMU has {summary}"
    );
    Ok(())
}

#[qemu_test]
fn qemu_img_creates_an_overlay_and_quotes_its_error(env: Arc<TestEnv>) -> TestResult {
    env.qemu_img()?;
    let base = env.scratch_file(["base.qcow2"]);
    let overlay = env.scratch_file(["overlay.qcow2"]);
    env.run_qemu_img([
        OsStr::new("create"),
        OsStr::new("-f"),
        OsStr::new("qcow2"),
        base.as_os_str(),
        OsStr::new("1M"),
    ])?;
    env.run_qemu_img([
        OsStr::new("create"),
        OsStr::new("-f"),
        OsStr::new("qcow2"),
        OsStr::new("-b"),
        base.as_os_str(),
        OsStr::new("-F"),
        OsStr::new("qcow2"),
        overlay.as_os_str(),
    ])?;
    let head = std::fs::read(&overlay).map_err(|err| TestError::io("reading overlay", err))?;
    ensure!(head.starts_with(b"QFI\xfb"), "overlay is not a qcow2 image");
    let missing = env.scratch_file(["missing.qcow2"]);
    let err = env
        .run_qemu_img([OsStr::new("info"), missing.as_os_str()])
        .expect_err("qemu-img info of a missing file must fail");
    ensure!(
        err.to_string().contains("Could not open") && err.to_string().contains("missing.qcow2"),
        "the error does not quote qemu-img: {err}"
    );
    Ok(())
}

#[qemu_test]
fn screendump_reads_back_the_vga_screen(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    vm.launch()?;
    let ppm = vm.screendump("screen")?;
    ensure!(
        ppm.width > 0 && ppm.height > 0 && ppm.maxval == 255,
        "unexpected screendump {}x{} max {}",
        ppm.width,
        ppm.height,
        ppm.maxval
    );
    ensure!(
        vm.env().scratch_file(["screen.ppm"]).is_file(),
        "the screendump is not in scratch"
    );
    Ok(())
}

#[qemu_test]
fn hostfwd_netdev_forwards_a_host_port(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.require_netdev("user")?;
    vm.args(["-netdev", &usernet::hostfwd_netdev("unet", 22)]);
    vm.launch()?;
    let port = linux::usernet_hostfwd_port(&mut vm)?;
    TcpStream::connect(("127.0.0.1", port))
        .map_err(|err| TestError::io(format!("connecting to forwarded port {port}"), err))?;
    Ok(())
}

#[qemu_test]
fn tftp_root_netdev_starts_a_user_network(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.require_netdev("user")?;
    let tftp = vm.env().tftp_root("tftp")?;
    tftp.write(&["pxelinux.cfg", "default"], "default Debian\n")?;
    vm.args(["-netdev", &tftp.netdev("n1")]);
    vm.launch()?;
    let network = vm.qmp().hmp("info network")?;
    ensure!(
        network.contains("n1: index=0,type=user"),
        "no user network n1: {network:?}"
    );
    ensure!(
        tftp.path().join("pxelinux.cfg").join("default").is_file(),
        "the config is not in the TFTP root"
    );
    Ok(())
}

#[qemu_test]
fn event_wait_skips_events_that_do_not_match(mut vm: Machine) -> TestResult {
    // USB devices unplug at once, with no guest to acknowledge it.
    vm.set_machine("pc")?.args(["-device", "qemu-xhci"]);
    vm.launch()?;
    vm.cmd("device_add", json!({"driver": "usb-kbd", "id": "kbd_a"}))?;
    vm.cmd("device_add", json!({"driver": "usb-kbd", "id": "kbd_b"}))?;
    vm.cmd("device_del", json!({"id": "kbd_a"}))?;
    vm.cmd("device_del", json!({"id": "kbd_b"}))?;
    let event = vm.event_wait("DEVICE_DELETED", json!({"data": {"device": "kbd_b"}}))?;
    ensure!(
        event.data["device"] == "kbd_b",
        "matched the wrong event: {:?}",
        event
    );
    let err = vm
        .event_wait_timeout(
            "DEVICE_DELETED",
            json!({"data": {"device": "kbd_a"}}),
            std::time::Duration::from_millis(300),
        )
        .expect_err("kbd_a's event was dropped as not matching");
    ensure!(
        err.to_string()
            .contains("no QMP event DEVICE_DELETED matching"),
        "unexpected error: {err}"
    );
    Ok(())
}
