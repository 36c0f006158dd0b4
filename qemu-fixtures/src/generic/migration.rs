//! Shared tests `migration`: a guest migrates over TCP, a UNIX socket and `exec:`.

use crate::guests::migration::Migration;
use crate::harness::{Machine, Skip, TestError, TestResult};

/// Migrates over TCP on localhost, to a port found under the `Ports` lock.
pub fn tcp_localhost(vm: Machine) -> TestResult {
    let (vm, migration) = for_target(vm)?;
    migration.tcp_localhost(vm)
}

/// Migrates over a UNIX socket in the test's socket directory.
pub fn unix_socket(vm: Machine) -> TestResult {
    let (vm, migration) = for_target(vm)?;
    migration.unix(vm)
}

/// Migrates through `exec:ncat`, as QEMU's migration tests do.
pub fn exec_command(vm: Machine) -> TestResult {
    let (vm, migration) = for_target(vm)?;
    migration.exec(vm)
}

/// What to migrate on this target: the machine QEMU's own migration
/// tests use, running; else the target's default machine (or, where that
/// needs a kernel to start, one that does not), held at reset with `-S`,
/// since nothing is there to boot on it.
///
/// Every crash is a failure, on every machine: a QEMU bug that stands is a
/// row of `harness::known_failures`, not an excuse here.
///
/// Sets that machine on `vm`, and says how the migration runs on it.
fn for_target(mut vm: Machine) -> Result<(Machine, Migration), TestError> {
    let arch = vm.env().id().arch.clone();
    let known = match arch.as_str() {
        "aarch64" => Some("quanta-gsj"),
        "alpha" => Some("clipper"),
        "arm" => Some("npcm750-evb"),
        "i386" => Some("isapc"),
        "ppc" => Some("sam460ex"),
        "ppc64" => Some("mac99"),
        "riscv32" => Some("spike"),
        "riscv64" => Some("virt"),
        "sparc" => Some("SS-4"),
        "sparc64" => Some("sun4u"),
        "x86_64" => Some("microvm"),
        _ => None,
    };
    let (machine, migration) = match known {
        Some(machine) => (machine.to_owned(), Migration::RUNNING),
        // m68k's default, mcf5208evb, refuses to start without a kernel.
        None if arch == "m68k" => ("virt".to_owned(), Migration::HELD),
        None => match vm.default_machine_type()? {
            Some(machine) => (machine, Migration::HELD),
            None => {
                return Err(Skip::new(format!(
                        "qemu-system-{arch} has no default machine, and QEMU's migration tests name none for it"
                    ))
                    .into());
            }
        },
    };
    vm.set_machine(&machine)?;
    Ok((vm, migration))
}
