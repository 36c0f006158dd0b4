//! Layer `guests`: what boots (Linux, U-Boot, EDK2, bare metal, prepared firmware); uses everything below.

pub mod aspeed;
pub mod baremetal;
pub mod edk2;
pub mod firmware;
pub mod gdb;
pub mod linux;
pub mod linux_stack;
pub mod malta;
pub mod microblaze;
pub mod migration;
pub mod multiprocess;
pub mod replay;
pub mod reverse_debug;
pub mod tuxrun;
pub mod uboot;
pub mod vmstate;

pub use firmware::word_swapped_copy;
