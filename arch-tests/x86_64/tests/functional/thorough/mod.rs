//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod asset_mirror;
mod linux_deb;
mod linux_netboot;
mod tuxrun;
mod multiprocess;
