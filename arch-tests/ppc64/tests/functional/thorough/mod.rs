//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod e500;
mod fadump;
mod hv;
mod linux_netboot;
mod mac99;
mod powernv;
mod pseries;
mod replay;
mod reverse_debug;
mod tuxrun;
