//! The framework's own tests: what a user sees when QEMU crashes, when the
//! guest panics, when a pattern never comes, and that no QEMU outlives its
//! test. They run qemu-system-x86_64 with a tiny BIOS the framework builds
//! (`qemu_fixtures::vm::guest`), so they need no download.

mod archives;
mod assets;
mod builders;
mod cleanup;
mod console_waits;
mod edk2_sbsa;
mod files_and_logs;
mod firmware;
mod host_processes;
mod http;
mod launch;
mod malta;
mod microblaze;
mod migrate_launched;
mod migration;
mod migration_helper;
mod multiprocess;
mod probes;
mod python_parity;
mod regex_waits;
mod registers;
mod replay;
mod scenario;
mod support;
mod timeouts;
mod tuxrun;
mod user_mode;
mod vm_helpers;
