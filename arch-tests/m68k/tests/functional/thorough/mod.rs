//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod mcf5208evb;
mod q800;
mod replay;
mod tuxrun;
