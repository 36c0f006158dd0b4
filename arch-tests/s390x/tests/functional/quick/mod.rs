//! Tests that need no download and finish in seconds: the default profile runs them.

mod reverse_debug;
mod vmstate;
