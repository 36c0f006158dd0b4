//! Port of QEMU's tests/functional/x86_64/test_nvme_migration.py (read from patchew-project/qemu's copy: qemu/qemu's is not in the index): a Fedora guest checksumming its NVMe root disk in a loop under KVM migrates over TCP, a UNIX socket and exec, and its workload survives without an I/O error.

use qemu_fixtures::guests::migration::{Migration, MigrationHooks};
use qemu_fixtures::prelude::*;

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

const DEFAULT_KERNEL_PARAMS: &str =
    "root=/dev/nvme0n1p1 console=ttyS0 net.ifnames=0 rd.rescue quiet";
const PROMPT: &str = "# ";

/// Upstream's override of `wait_for_console_pattern`: a kernel panic fails.
fn wait_for(vm: &mut Machine, success: &str) -> TestResult {
    vm.console()
        .wait_for_console_pattern(success, Some("Kernel panic - not syncing"))?;
    Ok(())
}

fn exec(vm: &mut Machine, command: &str, pattern: &str) -> TestResult {
    vm.console()
        .exec_command_and_wait_for_pattern(command, pattern, None)?;
    Ok(())
}

/// Upstream's `exec_command_and_check`: the command must succeed. Its echo
/// holds the word FAIL once, so that is waited for before `OK`.
fn exec_command_and_check(vm: &mut Machine, command: &str) -> TestResult {
    exec(vm, &format!("{command} && echo OK || echo FAIL"), "FAIL")?;
    vm.console().wait_for_console_pattern("OK", Some("FAIL"))?;
    wait_for(vm, PROMPT)
}

/// Upstream's overrides of `MigrationTest`'s hooks.
#[derive(Debug)]
struct NvmeMigration;

impl MigrationHooks for NvmeMigration {
    fn configure_machine(&self, vm: &mut Machine) -> TestResult {
        let kernel_path = vm.env().fetch(&KERNEL)?;
        let initrd_path = vm.env().fetch(&INITRD)?;
        let diskimage_path = vm.env().fetch(&DISKIMAGE)?;
        vm.set_console();
        vm.args(["-cpu", "max", "-m", "2G", "-accel", "kvm", "-drive"]);
        vm.arg(format!(
            "file={},if=none,id=drv0,snapshot=on",
            diskimage_path.display()
        ));
        vm.args([
            "-device",
            "nvme,bus=pcie.0,drive=drv0,id=nvme-disk0,serial=nvmemigratetest,bootindex=1",
        ]);
        vm.arg("-kernel").arg(&kernel_path);
        vm.arg("-initrd").arg(&initrd_path);
        vm.args(["-append", DEFAULT_KERNEL_PARAMS]);
        Ok(())
    }

    fn launch_source_vm(&self, vm: &mut Machine) -> TestResult {
        vm.launch()?;
        wait_for(vm, "Entering emergency mode.")?;
        wait_for(vm, PROMPT)?;
        // Synchronize on the NVMe driver creating the root device.
        let nvme_ready = "while ! (dmesg -c | grep nvme0n1:) ; do sleep 1 ; done";
        exec(vm, nvme_ready, "nvme0n1")?;
        wait_for(vm, PROMPT)?;
        exec(vm, "mount /dev/nvme0n1p1 /sysroot", PROMPT)?;
        exec(vm, "chroot /sysroot", PROMPT)?;
        exec(vm, "mount -t proc proc /proc", PROMPT)?;
        exec(vm, "mount -t sysfs sysfs /sys", PROMPT)?;
        // The workload checksums /usr/bin in a loop, dropping the caches so
        // that the disk is read: an NVMe migration bug shows as errors in
        // its log.
        let workload = r"(while [ ! -f /tmp/test_nvme_migration_workload.stop ]; do rm -f /tmp/test_nvme_migration_workload.iteration_finished; echo 3 > /proc/sys/vm/drop_caches; find /usr/bin -type f -exec cksum {} \;; touch /tmp/test_nvme_migration_workload.iteration_finished; done) > /dev/null 2> /tmp/test_nvme_migration_workload.errors &";
        exec(vm, workload, PROMPT)?;
        exec(
            vm,
            "echo $! > /tmp/test_nvme_migration_workload.pid",
            PROMPT,
        )?;
        exec_command_and_check(vm, "kill -0 $(cat /tmp/test_nvme_migration_workload.pid)")
    }

    fn assert_dest_vm(&self, vm: &mut Machine) -> TestResult {
        exec_command_and_check(vm, "kill -0 $(cat /tmp/test_nvme_migration_workload.pid)")?;
        exec(vm, "touch /tmp/test_nvme_migration_workload.stop", PROMPT)?;
        // The workload's last round must end before its log is read.
        let finished = "while [ ! -f /tmp/test_nvme_migration_workload.iteration_finished ]; do sleep 1; done;";
        exec(vm, finished, PROMPT)?;
        exec(vm, "cat /tmp/test_nvme_migration_workload.errors", PROMPT)?;
        exec_command_and_check(vm, "[ ! -s /tmp/test_nvme_migration_workload.errors ]")
    }
}

const NVME: Migration = Migration::with_hooks(&NvmeMigration);

#[qemu_test]
fn migration_with_tcp_localhost(mut vm: Machine) -> TestResult {
    vm.set_machine("q35")?;
    vm.require_accelerator("kvm")?;
    NVME.tcp_localhost(vm)
}

#[qemu_test]
fn migration_with_unix(mut vm: Machine) -> TestResult {
    vm.set_machine("q35")?;
    vm.require_accelerator("kvm")?;
    NVME.unix(vm)
}

#[qemu_test]
fn migration_with_exec(mut vm: Machine) -> TestResult {
    vm.set_machine("q35")?;
    vm.require_accelerator("kvm")?;
    NVME.exec(vm)
}
