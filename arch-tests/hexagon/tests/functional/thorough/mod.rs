//! Tests that need downloaded assets or take long: the thorough profile runs them.

mod arch_tests;
mod systests;
