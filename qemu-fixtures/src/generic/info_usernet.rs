//! Shared test `info_usernet`: a user-mode network host forward is listed.

use crate::ensure;
use crate::harness::{Machine, TestResult};

/// `info usernet` over `human-monitor-command` lists a host forward.
pub fn hostfwd_port_is_listed(mut vm: Machine) -> TestResult {
    vm.require_netdev("user")?;
    vm.set_machine("none")?;
    vm.args(["-netdev", "user,id=vnet,hostfwd=:127.0.0.1:0-:22"])
        .launch()?;
    let info = vm.qmp().hmp("info usernet")?;
    let port = info.lines().find_map(hostfwd_port);
    ensure!(
        port.is_some(),
        "\"info usernet\" output content does not seem to contain the redirected port: {info:?}"
    );
    ensure!(
        port > Some(0),
        "found a redirected port that is not greater than zero: {info:?}"
    );
    Ok(())
}

/// The host port of a line like
/// `  TCP[HOST_FORWARD]  12  127.0.0.1 41245  10.0.2.15  22  0  0`.
fn hostfwd_port(line: &str) -> Option<u16> {
    let rest = &line[line.find("HOST_FORWARD")?..];
    let mut words = rest
        .split_whitespace()
        .skip_while(|word| *word != "127.0.0.1");
    words.next()?;
    let port = words.next()?.parse().ok()?;
    words.next()?.starts_with("10.").then_some(port)
}

#[cfg(test)]
#[test]
fn parses_the_forward_line() {
    let line = "  TCP[HOST_FORWARD]  13       127.0.0.1 39373       10.0.2.15    22     0     0";
    assert_eq!(hostfwd_port(line), Some(39373));
    assert_eq!(
        hostfwd_port("  UDP[236 sec]  14  10.0.2.15  68  255.255.255.255 67"),
        None
    );
}
