//! Port of QEMU's tests/functional/x86_64/test_pc_cpu_hotplug_props.py: a CPU's die-id can be omitted on -device.

use qemu_fixtures::prelude::*;

#[qemu_test]
fn no_die_id(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    vm.args(["-nodefaults", "-S"]);
    vm.args(["-smp", "1,sockets=2,cores=2,threads=2,maxcpus=8"]);
    vm.args([
        "-device",
        "qemu64-x86_64-cpu,socket-id=1,core-id=0,thread-id=0",
    ]);
    vm.launch()?;
    let cpus = vm.cmd("query-cpus-fast", Value::Null)?;
    ensure!(
        cpus.as_array().map(Vec::len) == Some(2),
        "query-cpus-fast: {cpus}"
    );
    Ok(())
}
