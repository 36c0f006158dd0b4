//! Tests that need no download and finish in seconds: the default profile runs them.

mod migration;
// riscv32's test_opensbi.py runs riscv64's class: the same file, as upstream.
#[path = "../../../../riscv64/tests/functional/quick/opensbi.rs"]
mod opensbi;
