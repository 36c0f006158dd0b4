//! Port of QEMU's tests/functional/x86_64/test_vhost_user_bridge.py: a guest on vhost-user-bridge (run on the host), hubbed over UDP to a user-mode network, fetches a file by TFTP and serves one over HTTP to the host.

use qemu_fixtures::prelude::*;
use qemu_fixtures::vm::binary::is_readable_executable_file;
use qemu_fixtures::vm::find_command;

#[asset]
static KERNEL_INITRAMFS: Asset = Asset::new(
    "https://github.com/yodel/vhost-user-bridge-test/raw/refs/heads/main/bzImage",
    "8860d7aa59434f483542cdf25b42eacae0d4d4aa7ec923af9589d1ad4703d42b",
);

const HOST_UUID: &str = "ba4c2e39-627f-487d-ae3b-93cc5d783eb8";
const HOST_UUID_HSUM: &str = "d2932e34bf6c17b33e7325140b691e27c191d9ac4dfa550f68c09506facb09b9";
const GUEST_UUID: &str = "143d2b21-fdf0-4c5e-a9ef-f35ebbac8945";
const GUEST_UUID_HSUM: &str = "14b64203f5cf2afe520f8be0fdfe630aafc1e85d1301f55a0d1681e68881f3a2";

fn configure_vm(
    vm: &mut Machine,
    socket: &str,
    lport: u16,
    rport: u16,
    hostfwd_port: u16,
    tftpdir: &TftpRoot,
) -> TestResult {
    vm.require_accelerator("kvm")?;
    vm.require_netdev("vhost-user")?;
    vm.require_netdev("socket")?;
    vm.require_netdev("hubport")?;
    vm.require_netdev("user")?;
    vm.require_device("virtio-net-pci")?;
    vm.set_machine("q35")?;
    vm.args([
        "-cpu",
        "host",
        "-accel",
        "kvm",
        "-append",
        "printk.time=0 console=ttyS0",
    ]);
    vm.args(["-smp", "2", "-m", "128M"]);
    vm.args([
        "-object",
        "memory-backend-memfd,id=mem0,size=128M,share=on,prealloc=on",
    ]);
    vm.args(["-numa", "node,memdev=mem0"]);
    vm.args(["-chardev", &format!("socket,id=char0,path={socket}")]);
    vm.args([
        "-netdev",
        "vhost-user,id=vhost0,chardev=char0,vhostforce=on",
    ]);
    vm.args(["-device", "virtio-net-pci,netdev=vhost0"]);
    vm.args([
        "-netdev",
        &format!("socket,id=udp0,udp=localhost:{lport},localaddr=localhost:{rport}"),
    ]);
    vm.args(["-netdev", "hubport,id=hub0,hubid=0,netdev=udp0"]);
    vm.args([
        "-netdev",
        &format!(
            "{},hostfwd=tcp:127.0.0.1:{hostfwd_port}-:8080",
            tftpdir.netdev("user0")
        ),
    ]);
    vm.args(["-netdev", "hubport,id=hub1,hubid=0,netdev=user0"]);
    Ok(())
}

/// Upstream's `assemble_vubr_args`: unbuffered through stdbuf when there.
fn assemble_vubr_args(
    vm: &Machine,
    vubr: &str,
    socket: &str,
    lport: u16,
    rport: u16,
) -> Vec<String> {
    let mut args = Vec::new();
    match find_command("stdbuf") {
        None => vm
            .env()
            .log("Could not find stdbuf: vhost-user-bridge log lines may appear out of order"),
        Some(stdbuf) => args.extend([stdbuf.display().to_string(), "-o0".into(), "-e0".into()]),
    }
    args.extend([vubr.to_owned(), "-u".into(), socket.to_owned()]);
    args.extend([
        "-l".into(),
        format!("127.0.0.1:{lport}"),
        "-r".into(),
        format!("127.0.0.1:{rport}"),
    ]);
    args
}

#[qemu_test]
fn vhost_user_bridge(mut vm: Machine) -> TestResult {
    let prompt = "~ # ";
    let host_uuid_filename = "vubr-test-uuid.txt";
    let guest_uuid_path = "/tmp/uuid.txt";
    let kernel = vm.env().fetch(&KERNEL_INITRAMFS)?;

    let vubr = vm
        .env()
        .build_file(["contrib", "vhost-user-bridge", "vhost-user-bridge"]);
    let vubr = match vubr {
        Ok(vubr) if is_readable_executable_file(&vubr) => vubr,
        _ => {
            return Err(
                Skip::new("Could not find a readable and executable vhost-user-bridge").into(),
            );
        }
    };
    let socket = vm.env().socket_file("vubr-test.sock").display().to_string();
    let tftpdir = vm.env().tftp_root("tftp")?;
    tftpdir.write(&[host_uuid_filename], HOST_UUID)?;

    let ports = Ports::lock()?;
    let [lport, rport, hostfwd_port] = ports.find_free_ports(3)?[..] else {
        return Err(TestError::check(
            "find_free_ports(3) did not return three ports",
        ));
    };
    configure_vm(&mut vm, &socket, lport, rport, hostfwd_port, &tftpdir)?;
    let mut vubr_args = assemble_vubr_args(&vm, &vubr.display().to_string(), &socket, lport, rport);
    let program = vubr_args.remove(0);
    let vubr_proc = vm
        .env()
        .start_daemon("vhost-user-bridge.log", program.as_ref(), vubr_args)?;
    vm.launch_kernel(&kernel, None, None, 0, Some(prompt))?;

    vm.console().exec_command_and_wait_for_pattern(
        &format!("tftp -g -r {host_uuid_filename} 10.0.2.2 ; sha256sum {host_uuid_filename}"),
        HOST_UUID_HSUM,
        None,
    )?;
    vm.console().wait_for_console_pattern(prompt, None)?;
    vm.console().exec_command_and_wait_for_pattern(
        &format!("echo -n '{GUEST_UUID}' > {guest_uuid_path}"),
        prompt,
        None,
    )?;
    linux::check_http_download(&mut vm, guest_uuid_path, GUEST_UUID_HSUM)?;
    vm.console().wait_for_console_pattern(prompt, None)?;

    vm.shutdown()?;
    vubr_proc.terminate()?;
    drop(ports);
    Ok(())
}
