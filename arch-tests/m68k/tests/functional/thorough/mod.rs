//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod mcf5208evb;
mod nextcube;
mod q800;
mod replay;
mod tuxrun;
