//! `plexi`: the Plexichat core from a terminal.
fn main() {}
