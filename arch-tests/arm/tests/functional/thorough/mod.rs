//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod canona1100;
mod linux_netboot;
mod collie;
mod raspi2;
mod realview;
mod smdkc210;
mod vexpress;
mod virt;
mod tuxrun;
