//! Layer `vm`: one QEMU process, from binary lookup to kill; uses `assets` only for paths, and logs through `Logs`.

pub mod accel;
pub mod binary;
pub mod console;
pub mod guest;
pub mod interrupt;
pub mod logs;
pub mod machine;
pub mod probes;
pub mod process;
pub mod qmp;
pub mod unavailable;
pub mod user;

pub use binary::{find_command, qemu_binary};
pub use console::{Console, ConsoleError, Match, WaitTimeout};
pub use logs::{Host, Log, Logs, Teardown};
pub use machine::{Machine, MachineError, inheritable_socket_pair};
pub use probes::QemuVersion;
pub use process::Exit;
pub use qmp::{Qmp, QmpError};
pub use unavailable::Unavailable;
pub use user::{User, UserOutput};
