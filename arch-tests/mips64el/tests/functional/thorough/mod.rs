//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod fuloong2e;
mod linux_netboot;
mod loongson3v;
mod malta;
mod replay;
mod tuxrun;
