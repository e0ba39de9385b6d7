//! Types the UI needs that are not generated from Rust yet.
//!
//! Everything here is a stand-in: when the lead generates one of these with ts-rs, replace the
//! definition by a re-export from `./bindings/<Name>` and nothing else in the UI changes.

// until generated from Rust (not in event.rs yet: asked of the lead for upload_attachment)
/** Upload progress, pushed on `chat-event` while `upload_attachment` runs. */
export type UploadProgress = {
  type: "upload_progress";
  upload_id: string;
  channel_id: string;
  filename: string;
  sent: number;
  total: number;
  done: boolean;
};

/** Commands the shell does not export yet, in the generated `Commands` format. */
export type PendingCommands = Record<never, never>;
