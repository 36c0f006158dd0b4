//! The kernel of Debian's linux-image-amd64, taken out of its .deb by our
//! deb support, boots with an initramfs the test builds from
//! busybox-static and answers at its shell.

use qemu_fixtures::prelude::*;

/// The current kernel package, whatever its ABI number.
#[asset]
static KERNEL_PACKAGE: Asset = Asset::debian_via("deb:linux-image-amd64", "linux-image-");

static BUSYBOX: Installed = Installed::new("/bin/busybox", "busybox-static");

#[qemu_test]
fn answers_uname_at_a_busybox_shell(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    let busybox = vm.env().installed(&BUSYBOX)?;
    let vmlinuz = vm.env().archive_find(&KERNEL_PACKAGE, "boot/vmlinuz-")?;
    let kernel = vm.env().archive_extract(&KERNEL_PACKAGE, &vmlinuz)?;
    let initramfs = linux::busybox_initramfs(vm.env(), &busybox)?;
    vm.args(["-m", "512", "-nic", "none"]);
    linux::boot_with_command_line(&mut vm, &kernel, Some(&initramfs), "rdinit=/init")?;
    let console = vm.console();
    console.wait_for(linux::READY)?;
    let uname = console.exec_command_and_wait_for_pattern("uname -a", "GNU/Linux", None)?;
    let release = vmlinuz.trim_start_matches("boot/vmlinuz-");
    ensure!(
        uname.text().contains(&format!("Linux (none) {release} ")),
        "uname -a says {:?}, the package holds {release}",
        uname.text()
    );
    Ok(())
}
