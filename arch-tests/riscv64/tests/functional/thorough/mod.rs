//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod boston;
mod endianness;
mod sifive_u;
mod tt_atlantis;
mod tuxrun;
