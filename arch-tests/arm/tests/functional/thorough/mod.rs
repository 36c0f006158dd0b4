//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod canona1100;
mod linux_netboot;
