//! Why a QEMU cannot run a test on this host: typed reasons, which the
//! harness reports as skips, except a configuration mistake, which fails.

use std::path::PathBuf;

/// Something this QEMU or this host lacks, or a configuration mistake
/// (`is_configuration_error`); the message says which.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    #[error("QEMU_TEST_QEMU_BINARY={} is not an executable file", path.display())]
    BinaryNotExecutable { path: PathBuf },
    #[error(
        "no {name}: set QEMU_TEST_QEMU_BINARY or QEMU_BUILD_ROOT, or install it (bash .ci/setup)"
    )]
    NoBinary { name: String },
    #[error("QEMU_TEST_QEMU_USER_BINARY={} is not an executable file", path.display())]
    UserBinaryNotExecutable { path: PathBuf },
    /// A user-mode QEMU (`qemu-arm`), which Debian ships apart.
    #[error(
        "no {name}: set QEMU_TEST_QEMU_USER_BINARY or QEMU_BUILD_ROOT, or install Debian's qemu-user (bash .ci/setup)"
    )]
    NoUserBinary { name: String },
    #[error("no support for machine {machine} in {binary}")]
    NoMachine { machine: String, binary: String },
    #[error("no support for device {device} in {binary}")]
    NoDevice { device: String, binary: String },
    #[error("no support for {netdev} networking in {binary}")]
    NoNetdev { netdev: String, binary: String },
    #[error("{accelerator} accelerator does not seem to be available in {binary}")]
    NoAccelerator { accelerator: String, binary: String },
    /// KVM is listed but a probe guest does not run under it.
    #[error("{reason}")]
    KvmUnusable { reason: String },
}

impl Unavailable {
    /// The reason, as a skip reports it.
    pub fn reason(&self) -> String {
        self.to_string()
    }

    /// A mistake of whoever runs the tests (`QEMU_TEST_QEMU_BINARY` names
    /// nothing runnable): a failure, lest a typo turn a whole run green.
    /// Everything else is something this host lacks: a skip.
    pub fn is_configuration_error(&self) -> bool {
        matches!(
            self,
            Unavailable::BinaryNotExecutable { .. } | Unavailable::UserBinaryNotExecutable { .. }
        )
    }
}
