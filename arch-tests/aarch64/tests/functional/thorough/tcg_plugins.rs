//! Port of QEMU's tests/functional/aarch64/test_tcg_plugins.py: the libinsn TCG plugin counts the instructions of a kernel boot on virt, with and without icount.

use qemu_fixtures::prelude::*;

/// PluginKernelBase's own command line, in place of the common one.
const KERNEL_COMMON_COMMAND_LINE: &str = "printk.time=1 panic=-1 ";

#[asset]
static KERNEL: Asset = Asset::new(
    "https://storage.tuxboot.com/20230331/arm64/Image",
    "ce95a7101a5fecebe0fe630deee6bd97b32ba41bc8754090e9ad8961ea8674c7",
);

/// PluginKernelBase.run_vm, then the instruction count of the plugin's log.
fn run_vm(mut vm: Machine, args: &[&str]) -> TestResult {
    vm.set_machine("virt")?;
    vm.args(["-cpu", "cortex-a53"]);
    let kernel = vm.env().fetch(&KERNEL)?;
    let kernel_command_line = format!("{KERNEL_COMMON_COMMAND_LINE}console=ttyAMA0");
    let console_pattern = "Kernel panic - not syncing: VFS:";
    // Python passes the build tree's tests/tcg/plugins/libinsn.so; a QEMU
    // built without plugins has none, a skip here where Python cancels at
    // launch.
    let plugin = vm.env().plugin_file("libinsn")?;
    let plugin_log = vm.env().scratch_file(["plugin.log"]);
    vm.set_console();
    vm.arg("-kernel").arg(&kernel);
    vm.args(["-append", &kernel_command_line, "-plugin"])
        .arg(&plugin);
    vm.args(["-d", "plugin", "-D"]).arg(&plugin_log);
    vm.args(["-net", "none", "-no-reboot"]).args(args);
    vm.launch()?;
    vm.console().wait_for(console_pattern)?;
    // ensure logs are flushed
    vm.shutdown()?;
    let log = std::fs::read_to_string(&plugin_log)
        .map_err(|err| TestError::io(format!("reading {}", plugin_log.display()), err))?;
    let count = log
        .split("insns: ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .filter(|digits| !digits.is_empty());
    let Some(count) = count else {
        return Err(TestError::check("Failed to find instruction count"));
    };
    vm.env().log(format_args!("Counted: {count} instructions"));
    Ok(())
}

#[qemu_test]
fn aarch64_virt_insn(vm: Machine) -> TestResult {
    run_vm(vm, &[])
}

#[qemu_test]
fn aarch64_virt_insn_icount(vm: Machine) -> TestResult {
    run_vm(vm, &["-icount", "shift=1"])
}
