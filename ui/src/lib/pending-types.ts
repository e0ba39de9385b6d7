//! Types the UI needs that are not generated from Rust yet.
//!
//! Everything here is a stand-in: when the lead generates one of these with ts-rs, replace the
//! definition by a re-export from `./bindings/<Name>` and nothing else in the UI changes.

/** Commands the shell does not export yet, in the generated `Commands` format. */
export type PendingCommands = Record<never, never>;
