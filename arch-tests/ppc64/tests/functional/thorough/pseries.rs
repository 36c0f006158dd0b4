//! Port of QEMU's tests/functional/ppc64/test_pseries.py: Fedora's kernel boots on pseries (VOF, SMP, hash MMU, SMT, NUMA) up to looking for its root device, and keeps booting after a migration.

use qemu_fixtures::guests::migration::do_migrate_ppc64_linux;
use qemu_fixtures::prelude::*;

/// Upstream's `KERNEL_COMMON_COMMAND_LINE` of this class, hvc0 included.
const KERNEL_COMMON_COMMAND_LINE: &str = "printk.time=0 console=hvc0 ";
const GOOD_MESSAGE: &str = "VFS: Cannot open root device";

#[asset]
static KERNEL: Asset = Asset::new(
    "https://archives.fedoraproject.org/pub/archive/fedora-secondary/releases/29/Everything/ppc64le/os/ppc/ppc64/vmlinuz",
    "383c2f5c23bc0d9d32680c3924d3fd7ee25cc5ef97091ac1aa5e1d853422fc5f",
);

/// Python's `do_test_ppc64_linux_boot`: the kernel with `kernel_command_line`.
fn do_test_ppc64_linux_boot(vm: &mut Machine, kernel_command_line: &str) -> TestResult {
    let kernel = vm.env().fetch(&KERNEL)?;
    vm.set_console();
    vm.arg("-kernel")
        .arg(&kernel)
        .args(["-append", kernel_command_line]);
    vm.launch()?;
    Ok(())
}

#[qemu_test]
fn ppc64_vof_linux_boot(mut vm: Machine) -> TestResult {
    vm.set_machine("pseries")?;
    vm.args(["-machine", "x-vof=on"]);
    do_test_ppc64_linux_boot(&mut vm, KERNEL_COMMON_COMMAND_LINE)?;
    linux::wait_for_console_pattern(&mut vm, GOOD_MESSAGE)?;
    Ok(())
}

#[qemu_test]
fn ppc64_linux_boot(mut vm: Machine) -> TestResult {
    vm.set_machine("pseries")?;
    do_test_ppc64_linux_boot(&mut vm, KERNEL_COMMON_COMMAND_LINE)?;
    linux::wait_for_console_pattern(&mut vm, GOOD_MESSAGE)?;
    Ok(())
}

#[qemu_test]
fn ppc64_linux_smp_boot(mut vm: Machine) -> TestResult {
    vm.set_machine("pseries")?;
    vm.args(["-smp", "4"]);
    do_test_ppc64_linux_boot(&mut vm, KERNEL_COMMON_COMMAND_LINE)?;
    linux::wait_for_console_pattern(&mut vm, "smp: Brought up 1 node, 4 CPUs")?;
    linux::wait_for_console_pattern(&mut vm, GOOD_MESSAGE)?;
    Ok(())
}

#[qemu_test]
fn ppc64_linux_hpt_smp_boot(mut vm: Machine) -> TestResult {
    vm.set_machine("pseries")?;
    vm.args(["-smp", "4"]);
    do_test_ppc64_linux_boot(
        &mut vm,
        &format!("{KERNEL_COMMON_COMMAND_LINE}disable_radix"),
    )?;
    linux::wait_for_console_pattern(&mut vm, "hash-mmu: Initializing hash mmu")?;
    linux::wait_for_console_pattern(&mut vm, "smp: Brought up 1 node, 4 CPUs")?;
    linux::wait_for_console_pattern(&mut vm, GOOD_MESSAGE)?;
    Ok(())
}

#[qemu_test]
fn ppc64_linux_smt_boot(mut vm: Machine) -> TestResult {
    vm.set_machine("pseries")?;
    vm.args(["-smp", "4,threads=4"]);
    do_test_ppc64_linux_boot(&mut vm, KERNEL_COMMON_COMMAND_LINE)?;
    linux::wait_for_console_pattern(&mut vm, "CPU maps initialized for 4 threads per core")?;
    linux::wait_for_console_pattern(&mut vm, "smp: Brought up 1 node, 4 CPUs")?;
    linux::wait_for_console_pattern(&mut vm, GOOD_MESSAGE)?;
    Ok(())
}

#[qemu_test]
fn ppc64_linux_big_boot(mut vm: Machine) -> TestResult {
    vm.set_machine("pseries")?;
    vm.args(["-smp", "16,threads=4,cores=2,sockets=2"]);
    vm.args([
        "-m",
        "512M",
        "-object",
        "memory-backend-ram,size=256M,id=m0",
        "-object",
        "memory-backend-ram,size=256M,id=m1",
    ]);
    vm.args(["-numa", "node,nodeid=0,memdev=m0"]);
    vm.args(["-numa", "node,nodeid=1,memdev=m1"]);
    do_test_ppc64_linux_boot(&mut vm, KERNEL_COMMON_COMMAND_LINE)?;
    linux::wait_for_console_pattern(&mut vm, "CPU maps initialized for 4 threads per core")?;
    linux::wait_for_console_pattern(&mut vm, "smp: Brought up 2 nodes, 16 CPUs")?;
    linux::wait_for_console_pattern(&mut vm, GOOD_MESSAGE)?;
    Ok(())
}

#[qemu_test]
fn ppc64_linux_migration(mut vm: Machine) -> TestResult {
    vm.set_machine("pseries")?;
    let kernel = vm.env().fetch(&KERNEL)?;
    let kernel_command_line = KERNEL_COMMON_COMMAND_LINE;

    let mut dest_vm = vm.twin("dest-qemu");
    dest_vm.args(["-incoming", "defer"]);
    dest_vm.args(["-smp", "4"]);
    dest_vm.arg("-nodefaults");
    dest_vm
        .arg("-kernel")
        .arg(&kernel)
        .args(["-append", kernel_command_line]);
    dest_vm.set_console();
    dest_vm.launch()?;

    let mut source_vm = vm.twin("source-qemu");
    source_vm.args(["-smp", "4"]);
    source_vm.arg("-nodefaults");
    source_vm
        .arg("-kernel")
        .arg(&kernel)
        .args(["-append", kernel_command_line]);
    source_vm.set_console();
    source_vm.launch()?;

    // ensure the boot has reached Linux
    source_vm
        .console()
        .wait_for_console_pattern("smp: Brought up 1 node, 4 CPUs", Some(linux::PANIC))?;
    do_migrate_ppc64_linux(&mut source_vm, &mut dest_vm)?;
    // ensure the boot proceeds after migration
    dest_vm
        .console()
        .wait_for_console_pattern(GOOD_MESSAGE, Some(linux::PANIC))?;
    Ok(())
}
