//! Tests that need no download and finish in seconds: the default profile runs them.

mod migration;
mod vm_launch_update_aarch;
mod vmstate;
