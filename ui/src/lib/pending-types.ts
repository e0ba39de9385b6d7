//! Types the UI needs that are not generated from Rust yet.
//!
//! Everything here is a stand-in: when the lead generates one of these with ts-rs, replace the
//! definition by a re-export from `./bindings/<Name>` and nothing else in the UI changes.

import type { AppInfo } from "./bindings/AppInfo";
import type { UiState } from "./bindings/UiState";
import type { User } from "./bindings/User";

// until generated from Rust
/** The server's password rules (`get_password_requirements`), checked live while typing. */
export type PasswordRequirements = {
  min_length: number;
  require_uppercase: boolean;
  require_lowercase: boolean;
  require_digit: boolean;
  require_special: boolean;
};

// until generated from Rust
/** Presence values the server knows. */
export type PresenceStatus = "online" | "idle" | "dnd" | "invisible" | "offline";

// until generated from Rust
/** One member of a server (`list_members`). */
export type Member = {
  user_id: string;
  username: string;
  nickname: string | null;
  avatar_url: string | null;
  presence_status: string | null;
};

// until generated from Rust
/** One friend, request or block (`list_relationships`). */
export type Relationship = {
  user_id: string;
  username: string;
  status: "friend" | "pending_incoming" | "pending_outgoing" | "blocked";
  presence_status: string | null;
};

// until generated from Rust
/** One signed-in device of the account (`list_sessions`). */
export type SessionInfo = {
  id: string;
  current: boolean;
  created_at: number;
  last_active_at: number | null;
  client: string | null;
};

// until generated from Rust (mirror of src-tauri/core/src/event.rs)
/** Chat data changes pushed by the core on the `chat-event` channel. Newtype variants carry
 * the wrapped struct's fields next to `type` (serde internal tagging). */
export type Event =
  | { type: "ready"; user: User; servers: Array<{ id: string; name: string | null; unavailable: boolean }> }
  | { type: "resumed" }
  | ({ type: "message_create" } & Message)
  | ({ type: "message_update" } & Message)
  | { type: "message_delete"; id: string; channel_id: string; server_id: string | null }
  | { type: "typing_start"; channel_id: string; user_id: string; username: string | null }
  | { type: "presence_update"; user_id: string; status: string | null; custom_status: string | null; custom_emoji: string | null }
  | { type: "reaction_add"; message_id: string; channel_id: string; user_id: string | null; emoji: string }
  | { type: "reaction_remove"; message_id: string; channel_id: string; user_id: string | null; emoji: string }
  | { type: "relationship_add"; user_id: string; username: string | null; status: string }
  | { type: "relationship_remove"; user_id: string }
  | ({ type: "channel_create" } & Channel)
  | ({ type: "channel_update" } & Channel)
  | { type: "channel_delete"; id: string; server_id: string | null }
  | ({ type: "server_create" } & Server)
  | ({ type: "server_update" } & Server)
  | { type: "server_delete"; id: string }
  | { type: "member_add"; server_id: string; user_id: string; username: string | null; nickname: string | null }
  | { type: "member_update"; server_id: string; user_id: string; username: string | null; nickname: string | null }
  | { type: "member_remove"; server_id: string; user_id: string; username: string | null; nickname: string | null }
  | { type: "security_alert"; kind: string | null; message: string | null; session_id: string | null }
  | { type: "security_logout"; kind: string | null; message: string | null; session_id: string | null };

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

// ---- Mirror of src-tauri/core/src/model.rs: ts-rs output is due in ./bindings/; delete
// this block then and re-export from ./bindings in types.ts.

// until generated from Rust
export type Server = {
  id: string;
  name: string;
  description: string | null;
  icon_url: string | null;
  owner_id: string | null;
  member_count: number | null;
};
// until generated from Rust
export type UserRef = { id: string; username: string };
// until generated from Rust
export type Channel = {
  id: string;
  server_id: string | null;
  name: string | null;
  channel_type: string;
  topic: string | null;
  position: number;
  category_id: string | null;
  recipient_id: string | null;
  recipient: UserRef | null;
  last_message_id: string | null;
};
// until generated from Rust
export type Attachment = { id: string; filename: string; content_type: string | null; size: number; url: string };
// until generated from Rust
export type Reaction = { emoji: string; count: number; me: boolean };
// until generated from Rust
export type Message = {
  id: string;
  channel_id: string;
  author_id: string;
  author_username: string | null;
  content: string;
  created_at: number;
  edited_at: number | null;
  reply_to_id: string | null;
  attachments: Array<Attachment>;
  reactions: Array<Reaction>;
  pinned: boolean;
};

type Ids = { channel_id: string; message_id: string };

// until generated from Rust (bindings/commands.ts lists only what the shell has so far)
/** Commands the shell does not export yet, in the generated `Commands` format. */
export type PendingCommands = {
  get_app_info: { args: null; result: AppInfo };
  get_ui_state: { args: null; result: UiState };
  start_demo: { args: null; result: void };
  sign_in: { args: { server_url: string; login: string; password: string }; result: void };
  submit_two_factor: { args: { code: string }; result: void };
  cancel_two_factor: { args: null; result: void };
  register: { args: { server_url: string; username: string; email: string; password: string }; result: void };
  get_password_requirements: { args: { server_url: string }; result: PasswordRequirements };
  sign_out: { args: null; result: void };
  reconnect_now: { args: null; result: void };
  list_servers: { args: null; result: Server[] };
  list_channels: { args: { server_id: string }; result: Channel[] };
  list_dm_channels: { args: null; result: Channel[] };
  load_messages: { args: { channel_id: string; before: string | null; limit: number }; result: Message[] };
  send_message: { args: { channel_id: string; content: string; reply_to_id: string | null }; result: Message };
  edit_message: { args: Ids & { content: string }; result: Message };
  delete_message: { args: Ids; result: void };
  add_reaction: { args: Ids & { emoji: string }; result: void };
  remove_reaction: { args: Ids & { emoji: string }; result: void };
  pin_message: { args: Ids; result: void };
  unpin_message: { args: Ids; result: void };
  send_typing: { args: { channel_id: string }; result: void };
  ack_message: { args: Ids; result: void };
  list_members: { args: { server_id: string }; result: Member[] };
  list_relationships: { args: null; result: Relationship[] };
  send_friend_request: { args: { username: string }; result: void };
  accept_friend_request: { args: { user_id: string }; result: void };
  remove_relationship: { args: { user_id: string }; result: void };
  block_user: { args: { user_id: string }; result: void };
  open_dm: { args: { user_id: string }; result: Channel };
  search_user: { args: { username: string }; result: User };
  set_presence: { args: { status: string; custom_status: string | null }; result: void };
  update_profile: { args: { display_name: string | null }; result: void };
  list_sessions: { args: null; result: SessionInfo[] };
  revoke_session: { args: { session_id: string }; result: void };
  upload_attachment: { args: { channel_id: string; path: string }; result: void };
};
