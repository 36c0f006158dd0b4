//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod malta;
mod replay;
mod tuxrun;
