//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod asset_mirror;
mod hotplug_cpu;
mod linux_deb;
mod linux_netboot;
mod multiprocess;
mod tuxrun;
