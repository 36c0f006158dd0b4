//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod linux_netboot;
mod kvm;
mod raspi3;
mod virt_aarch64_off;
mod tuxrun;
mod multiprocess;
