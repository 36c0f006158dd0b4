//! Port of QEMU's tests/functional/ppc64/test_migration.py: machine mac99 migrates over TCP, a UNIX socket and exec.

use qemu_fixtures::prelude::*;

#[qemu_test]
fn migration_with_tcp_localhost(mut vm: Machine) -> TestResult {
    vm.set_machine("mac99")?;
    migration::migration_with_tcp_localhost(vm)
}

#[qemu_test]
fn migration_with_unix(mut vm: Machine) -> TestResult {
    vm.set_machine("mac99")?;
    migration::migration_with_unix(vm)
}

#[qemu_test]
fn migration_with_exec(mut vm: Machine) -> TestResult {
    vm.set_machine("mac99")?;
    migration::migration_with_exec(vm)
}
