//! Multiprocess QEMU, as QEMU's `Multiprocess` test class: a remote QEMU
//! (`-machine x-remote`) runs an LSI SCSI controller that a second QEMU
//! sees through `x-pci-proxy-dev`, the two joined by a socket pair.

use std::os::fd::{AsRawFd, OwnedFd};

use crate::assets::Asset;
use crate::guests::linux::PANIC;
use crate::harness::{Machine, TestError, TestResult};
use crate::vm::inheritable_socket_pair;

/// What `Multiprocess` puts first on the kernel command line.
pub const KERNEL_COMMON_COMMAND_LINE: &str = "printk.time=0 ";
/// PCI vendor and device of the LSI 53C895A, as the guest's uevent says.
pub const LSI_PCI_ID: &str = "PCI_ID=1000:0012";

/// The remote process and the proxy's end of the socket pair; the proxy
/// QEMU must be launched while this lives, so that it inherits its end.
pub struct RemoteLsi {
    remote: Machine,
    proxy_end: OwnedFd,
    // Held until the proxy has launched, as Python closes both at the end.
    _remote_end: OwnedFd,
}

impl RemoteLsi {
    /// Launches the remote QEMU, a sibling of `vm` named `remote`, with an
    /// `lsi53c895a` served over its end of a fresh socket pair.
    pub fn launch(vm: &Machine) -> Result<RemoteLsi, TestError> {
        let (proxy_end, remote_end) = inheritable_socket_pair()
            .map_err(|err| TestError::io("creating the multiprocess socket pair", err))?;
        let mut remote = vm.sibling("remote");
        remote.disable_console();
        remote
            .args(["-machine", "x-remote", "-nodefaults"])
            .args(["-device", "lsi53c895a,id=lsi1"])
            .args([
                "-object",
                &format!(
                    "x-remote-object,id=robj1,devid=lsi1,fd={}",
                    remote_end.as_raw_fd()
                ),
            ])
            .launch()?;
        Ok(RemoteLsi {
            remote,
            proxy_end,
            _remote_end: remote_end,
        })
    }

    /// The proxy's `-device` argument: `x-pci-proxy-dev,id=lsi1,fd=<its end>`.
    pub fn proxy_device(&self) -> String {
        format!("x-pci-proxy-dev,id=lsi1,fd={}", self.proxy_end.as_raw_fd())
    }

    /// The remote QEMU.
    pub fn remote(&mut self) -> &mut Machine {
        &mut self.remote
    }
}

/// `Multiprocess.do_test`: boots `kernel` and `initrd` under KVM on
/// `machine_type` with 2 GiB of memfd memory and the remote LSI
/// controller, and finds the controller in the guest's PCI uevents.
pub fn do_test(
    vm: &mut Machine,
    kernel: &Asset,
    initrd: &Asset,
    kernel_command_line: &str,
    machine_type: &str,
) -> TestResult {
    vm.require_accelerator("kvm")?;
    vm.require_device("x-pci-proxy-dev")?;
    let kernel = vm.env().fetch(kernel)?;
    let initrd = vm.env().fetch(initrd)?;
    let remote = RemoteLsi::launch(vm)?;
    vm.set_console();
    vm.args(["-machine", machine_type, "-accel", "kvm", "-cpu", "host"])
        .args(["-object", "memory-backend-memfd,id=sysmem-file,size=2G"])
        .args(["--numa", "node,memdev=sysmem-file", "-m", "2048"])
        .arg("-kernel")
        .arg(&kernel)
        .arg("-initrd")
        .arg(&initrd)
        .args(["-append", kernel_command_line])
        .args(["-device", &remote.proxy_device()])
        .launch()?;
    let console = vm.console();
    console.wait_for_console_pattern("as init process", Some(PANIC))?;
    console.exec_command("mount -t sysfs sysfs /sys")?;
    console.exec_command_and_wait_for_pattern(
        "cat /sys/bus/pci/devices/*/uevent",
        LSI_PCI_ID,
        None,
    )?;
    drop(remote);
    Ok(())
}
