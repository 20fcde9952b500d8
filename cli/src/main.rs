//! The `smsauth` command-line tool (in progress).
fn main() {}
