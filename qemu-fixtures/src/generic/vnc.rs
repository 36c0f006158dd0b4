//! Port of QEMU's tests/functional/generic/test_vnc.py: passwords and listen addresses of the VNC server (and, ours, a taken port).

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::Duration;

use serde_json::{Value, json};

use crate::ensure;
use crate::harness::ports::Ports;
use crate::harness::{Machine, Skip, TestError, TestResult};
use crate::vm::{MachineError, QmpError};

/// Without `-vnc`, VNC is off and a password cannot be set.
pub fn no_vnc_change_password(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.args(["-nodefaults", "-S"]).launch()?;
    let vnc = query_vnc(&mut vm)?;
    ensure!(
        vnc["enabled"] == false,
        "VNC is enabled without -vnc: {vnc}"
    );
    refuses_password(&mut vm)
}

/// With VNC on but no `password=on`, a password cannot be set.
pub fn change_password_requires_a_password(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.args(["-nodefaults", "-S", "-vnc", ":1,to=999"]);
    launch_guarded(&mut vm)?;
    let vnc = query_vnc(&mut vm)?;
    ensure!(vnc["enabled"] == true, "VNC is not enabled by -vnc: {vnc}");
    refuses_password(&mut vm)
}

/// With `password=on`, `change-vnc-password` succeeds.
pub fn change_password(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.args(["-nodefaults", "-S", "-vnc", ":1,to=999,password=on"]);
    launch_guarded(&mut vm)?;
    let vnc = query_vnc(&mut vm)?;
    ensure!(vnc["enabled"] == true, "VNC is not enabled by -vnc: {vnc}");
    vm.cmd("change-vnc-password", json!({ "password": "new_password" }))?;
    Ok(())
}

/// `display-update` moves the VNC server to new ports: the old one
/// stops listening, the new ones listen. The ports come from [`Ports`],
/// whose lock is held to the end.
pub fn change_listen(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    let ports = Ports::lock()?;
    let [a, b, c]: [u16; 3] = ports
        .find_free_ports(3)?
        .try_into()
        .expect("find_free_ports gives as many as asked");
    let before = listeners([a, b, c]);
    ensure!(
        before == [false; 3],
        "ports {a}, {b}, {c} should not listen before QEMU starts (listening: {before:?})"
    );
    vm.args([
        "-nodefaults",
        "-S",
        "-vnc",
        &format!("127.0.0.1:{}", a - 5900),
    ]);
    launch_guarded(&mut vm)?;
    let vnc = query_vnc(&mut vm)?;
    ensure!(
        vnc["service"].as_str() == Some(a.to_string().as_str()),
        "VNC serves {}, expected {a}",
        vnc["service"]
    );
    let started = listeners([a, b, c]);
    ensure!(
        started == [true, false, false],
        "only port {a} of {a}, {b}, {c} should listen (listening: {started:?})"
    );
    vm.cmd(
        "display-update",
        json!({
            "type": "vnc",
            "addresses": [
                { "type": "inet", "host": "127.0.0.1", "port": b.to_string() },
                { "type": "inet", "host": "127.0.0.1", "port": c.to_string() },
            ],
        }),
    )?;
    let vnc = query_vnc(&mut vm)?;
    ensure!(
        vnc["service"].as_str() == Some(b.to_string().as_str()),
        "VNC serves {}, expected {b}",
        vnc["service"]
    );
    let moved = listeners([a, b, c]);
    ensure!(
        moved == [false, true, true],
        "ports {b} and {c} should listen, {a} not (listening: {moved:?})"
    );
    Ok(())
}

/// A VNC port that another process holds makes QEMU refuse to start,
/// and says so.
pub fn taken_port_is_reported(mut vm: Machine) -> TestResult {
    let holder = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|err| TestError::io("binding a port on 127.0.0.1", err))?;
    let port = holder
        .local_addr()
        .map_err(|err| TestError::io("reading the port", err))?
        .port();
    if port < 5900 {
        return Err(Skip::new(format!("port {port} is below the VNC base port 5900")).into());
    }
    vm.set_machine("none")?;
    vm.args([
        "-nodefaults",
        "-S",
        "-vnc",
        &format!("127.0.0.1:{}", port - 5900),
    ]);
    match vm.launch() {
        Err(MachineError::DidNotStart { exit, output, .. }) => {
            ensure!(exit.code() == Some(1), "QEMU {exit}; expected exit code 1");
            ensure!(
                output.contains("Address already in use"),
                "QEMU's refusal does not say the address is in use: {output:?}"
            );
            Ok(())
        }
        Err(err) => Err(err.into()),
        Ok(_) => Err(TestError::check(format!(
            "QEMU started with VNC on port {port}, which another socket holds"
        ))),
    }
}

fn launch_guarded(vm: &mut Machine) -> TestResult {
    match vm.launch() {
        Ok(_) => Ok(()),
        Err(MachineError::DidNotStart { output, .. })
            if output.contains("-vnc: invalid option") =>
        {
            Err(Skip::new("VNC support not available").into())
        }
        Err(MachineError::DidNotStart { output, .. })
            if output.contains("Cipher backend does not support DES algorithm") =>
        {
            Err(Skip::new("No cryptographic backend available").into())
        }
        Err(err) => Err(err.into()),
    }
}

fn query_vnc(vm: &mut Machine) -> Result<Value, TestError> {
    match vm.cmd("query-vnc", Value::Null) {
        Err(MachineError::Qmp(QmpError::Command { class, .. })) if class == "CommandNotFound" => {
            Err(Skip::new("VNC support not available").into())
        }
        other => Ok(other?),
    }
}

fn refuses_password(vm: &mut Machine) -> TestResult {
    match vm.cmd("change-vnc-password", json!({ "password": "new_password" })) {
        Err(MachineError::Qmp(QmpError::Command { class, desc, .. })) => {
            ensure!(
                class == "GenericError" && desc == "Could not set password",
                "change-vnc-password failed with {class}: {desc}; expected GenericError: Could not set password"
            );
            Ok(())
        }
        Ok(_) => Err(TestError::check(
            "change-vnc-password succeeded; it should fail",
        )),
        Err(err) => Err(err.into()),
    }
}

/// Which of `ports` accept a connection on 127.0.0.1.
fn listeners(ports: [u16; 3]) -> [bool; 3] {
    ports.map(|port| {
        TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), Duration::from_secs(2))
            .is_ok()
    })
}
