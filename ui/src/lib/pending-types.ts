//! Types the UI needs that are not generated from Rust yet.
//!
//! Everything here is a stand-in: when the lead generates one of these with ts-rs, replace the
//! definition by a re-export from `./bindings/<Name>` and nothing else in the UI changes.


// until generated from Rust
/** What `get_app_info` returns. */
export type AppInfo = {
  version: string;
  client_version: string;
  default_server_url: string;
  demo_available: boolean;
};

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

// until generated from Rust
/** How every command rejects: `state` is the classified state of that one action. */
export type IpcError = {
  code: string;
  message: string;
  state: UiState | null;
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

// ---- Mirror of src-tauri/core/src/ui_state.rs and model.rs: ts-rs output is due in
// ./bindings/; delete this block then and re-export from ./bindings in types.ts.

// until generated from Rust
export type User = { id: string; username: string; display_name: string | null; avatar_url: string | null };
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
// until generated from Rust
export type LoginReason = "authentication_required" | "invalid_token" | "token_expired" | "signed_out_remotely";
// until generated from Rust
export type ForbiddenReason =
  | "access_denied"
  | "permission_denied"
  | "admin_required"
  | "cannot_message_user"
  | "account_suspended";
// until generated from Rust
export type Entity =
  | "user"
  | "server"
  | "channel"
  | "message"
  | "webhook"
  | "session"
  | "friend_request"
  | "relationship"
  | "setting"
  | "resource";
// until generated from Rust
export type UiState =
  | { state: "signed_out" }
  | { state: "login_required"; reason: LoginReason; message: string }
  | { state: "invalid_credentials"; failed_attempts: number; attempts_left: number }
  | { state: "two_factor_required"; expires_at: number; methods: Array<string> }
  | { state: "two_factor_invalid"; message: string }
  | { state: "two_factor_expired" }
  | { state: "sign_in_incomplete"; message: string }
  | { state: "account_locked"; until: number; suspended: boolean }
  | {
      state: "update_required";
      client_version: string;
      min_version: string;
      server_version: string;
      update_url: string | null;
    }
  | { state: "invalid_version_format"; client_version: string }
  | { state: "rate_limited"; retry_at: number; scope: string | null; global: boolean }
  | { state: "forbidden"; reason: ForbiddenReason; message: string }
  | { state: "not_found"; entity: Entity; message: string }
  | { state: "conflict"; field: string | null; message: string }
  | { state: "invalid_input"; field: string | null; message: string }
  | { state: "content_rejected"; message: string }
  | { state: "server_error"; status: number; attempt: number; next_retry_at: number | null; message: string }
  | { state: "service_unavailable"; message: string; retry_at: number | null }
  | { state: "offline"; reason: string }
  | { state: "connecting" }
  | { state: "reconnecting"; attempt: number; next_at: number }
  | { state: "ready"; user: User }
  | { state: "keyring_unavailable"; detail: string }
  | { state: "bug_report"; message: string };
