//! Port of QEMU's tests/functional/generic/test_info_usernet.py: a user-mode network host forward is listed.

use crate::ensure;
use crate::guests::linux::hostfwd_port;
use crate::harness::{Machine, TestResult};

/// `info usernet` over `human-monitor-command` lists a host forward.
pub fn hostfwd(mut vm: Machine) -> TestResult {
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
