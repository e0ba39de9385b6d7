//! Placeholder until the outbox engineer writes the RSS benchmark.
fn main() {}
