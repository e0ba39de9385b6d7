//! Placeholder until the gateway engineer writes the criterion bench.
fn main() {}
