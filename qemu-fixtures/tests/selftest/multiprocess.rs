//! `guests::multiprocess`, upstream's `Multiprocess`: a second QEMU sees
//! the remote process's LSI controller through `x-pci-proxy-dev`.

use qemu_fixtures::guests::multiprocess::RemoteLsi;
use qemu_fixtures::prelude::*;

/// The proxy, launched with the socket pair's other end, lists `lsi1`
/// with the LSI 53C895A's BARs (256 bytes of I/O, 1 KiB and 8 KiB of
/// memory), which only the remote process can have told it, and the remote
/// runs on. Under KVM, as upstream: QEMU 10.0.2's proxy segfaults at
/// startup under TCG.
#[qemu_test]
fn proxy_lists_the_remote_lsi_controller(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    vm.require_accelerator("kvm")?;
    vm.require_device("x-pci-proxy-dev")?;
    let mut remote = RemoteLsi::launch(&vm)?;
    vm.disable_console()
        .args(["-accel", "kvm"])
        .args(["-object", "memory-backend-memfd,id=sysmem-file,size=256M"])
        .args(["--numa", "node,memdev=sysmem-file", "-m", "256"])
        .args(["-device", &remote.proxy_device()])
        .launch()?;
    let buses = vm.cmd("query-pci", json!({}))?;
    let lsi = buses
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|bus| bus["devices"].as_array().into_iter().flatten())
        .find(|device| device["qdev_id"] == "lsi1");
    let Some(lsi) = lsi else {
        return Err(TestError::check(format!("no lsi1 in query-pci: {buses}")));
    };
    let sizes: Vec<_> = lsi["regions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|region| region["size"].as_u64())
        .collect();
    ensure!(
        sizes == [Some(256), Some(1024), Some(8192)],
        "lsi1 does not have the remote LSI 53C895A's BARs: {lsi}"
    );
    ensure!(
        remote.remote().exit().is_none(),
        "the remote process exited: {:?}",
        remote.remote().exit()
    );
    Ok(())
}

/// The remote process inherits its end of the pair: given a descriptor it
/// does not hold, QEMU 10.0.2 crashes at startup; holding it, it serves
/// `lsi1` through `robj1` and answers QMP.
#[qemu_test]
fn remote_process_serves_lsi_over_its_end(vm: Machine) -> TestResult {
    let mut remote = RemoteLsi::launch(&vm)?;
    let objects = remote
        .remote()
        .cmd("qom-list", json!({"path": "/objects"}))?;
    ensure!(
        objects.as_array().into_iter().flatten().any(|object| {
            object["name"] == "robj1" && object["type"] == "child<x-remote-object>"
        }),
        "no x-remote-object robj1 in /objects: {objects}"
    );
    Ok(())
}
