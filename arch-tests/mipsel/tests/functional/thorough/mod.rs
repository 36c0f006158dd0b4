//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod linux_netboot;
mod replay;
mod tuxrun;
