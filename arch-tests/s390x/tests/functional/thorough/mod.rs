//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod boot_4k;
mod ccw_virtio;
mod pxelinux;
mod replay;
mod secure_ipl;
mod topology;
mod tuxrun;
