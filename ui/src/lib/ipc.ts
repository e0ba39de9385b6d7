//! The one door between the web UI and the Rust core.
//!
//! `invoke` is typed by the `Commands` map (command name → args and result) and turns every
//! rejection into an `IpcError`, so components branch on `error.state`, never on message text.
//! `listen` subscribes to `ui-state` or `chat-event` and returns a plain unlisten function.
//! Outside Tauri (plain browser, Vitest) the calls go to an in-memory backend instead.

import type {
  AppInfo,
  Channel,
  Event,
  IpcError,
  Member,
  Message,
  PasswordRequirements,
  Relationship,
  Server,
  SessionInfo,
  UiState,
  UploadProgress,
  User,
} from "./types";

type Ids = { channel_id: string; message_id: string };

/** Every command: its argument object (snake_case, as the Rust side names them) and result. */
export type Commands = {
  get_app_info: [Record<string, never>, AppInfo];
  get_ui_state: [Record<string, never>, UiState];
  start_demo: [Record<string, never>, void];
  sign_in: [{ server_url: string; login: string; password: string }, void];
  submit_two_factor: [{ code: string }, void];
  cancel_two_factor: [Record<string, never>, void];
  register: [{ server_url: string; username: string; email: string; password: string }, void];
  get_password_requirements: [{ server_url: string }, PasswordRequirements];
  sign_out: [Record<string, never>, void];
  reconnect_now: [Record<string, never>, void];
  list_servers: [Record<string, never>, Server[]];
  list_channels: [{ server_id: string }, Channel[]];
  list_dm_channels: [Record<string, never>, Channel[]];
  load_messages: [{ channel_id: string; before: string | null; limit: number }, Message[]];
  send_message: [{ channel_id: string; content: string; reply_to_id: string | null }, Message];
  edit_message: [Ids & { content: string }, Message];
  delete_message: [Ids, void];
  add_reaction: [Ids & { emoji: string }, void];
  remove_reaction: [Ids & { emoji: string }, void];
  pin_message: [Ids, void];
  unpin_message: [Ids, void];
  send_typing: [{ channel_id: string }, void];
  ack_message: [Ids, void];
  list_members: [{ server_id: string }, Member[]];
  list_relationships: [Record<string, never>, Relationship[]];
  send_friend_request: [{ username: string }, void];
  accept_friend_request: [{ user_id: string }, void];
  remove_relationship: [{ user_id: string }, void];
  block_user: [{ user_id: string }, void];
  open_dm: [{ user_id: string }, Channel];
  search_user: [{ username: string }, User];
  set_presence: [{ status: string; custom_status: string | null }, void];
  update_profile: [{ display_name: string | null }, void];
  list_sessions: [Record<string, never>, SessionInfo[]];
  revoke_session: [{ session_id: string }, void];
  upload_attachment: [{ channel_id: string; path: string }, void];
};

/** A command name. */
export type CommandName = keyof Commands;
/** The argument object of a command. */
export type ArgsOf<C extends CommandName> = Commands[C][0];
/** The resolved value of a command. */
export type ResultOf<C extends CommandName> = Commands[C][1];

/** Events the core emits to the window. */
export type Events = {
  "ui-state": UiState;
  "chat-event": Event | UploadProgress;
  /** Files dropped on the window (Tauri reports paths; the DOM drop event has none). */
  "tauri://drag-drop": { paths: string[] };
};

/** What actually carries the calls: Tauri in the app, the mock backend elsewhere. */
export interface Backend {
  invoke(command: string, args: Record<string, unknown>): Promise<unknown>;
  listen(event: string, handler: (payload: unknown) => void): () => void;
}

let backend: Backend | null = null;

/** Replaces the backend (tests give each test a fresh mock). */
export function setBackend(b: Backend): void {
  backend = b;
}

function isTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

async function tauriBackend(): Promise<Backend> {
  const core = await import("@tauri-apps/api/core");
  const ev = await import("@tauri-apps/api/event");
  return {
    invoke: (command, args) => core.invoke(command, args),
    listen(event, handler) {
      // Tauri's listen is async; an unlisten requested before it resolves must still run.
      let stopped = false;
      let un: (() => void) | null = null;
      void ev.listen(event, (e) => handler(e.payload)).then((f) => {
        if (stopped) f();
        else un = f;
      });
      return () => {
        stopped = true;
        un?.();
      };
    },
  };
}

let pending: Promise<Backend> | null = null;

async function current(): Promise<Backend> {
  if (backend) return backend;
  pending ??= isTauri()
    ? tauriBackend()
    : import("./mock-backend").then((m) => m.createMockBackend({ demo: true }));
  backend = await pending;
  return backend;
}

/** True when `e` already has the `IpcError` shape. */
export function isIpcError(e: unknown): e is IpcError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** Normalises anything a rejection carries into an `IpcError`. */
export function toIpcError(e: unknown): IpcError {
  if (isIpcError(e)) {
    return { code: String(e.code), message: String(e.message), state: e.state ?? null };
  }
  if (typeof e === "string") return { code: "unknown", message: e, state: null };
  if (e instanceof Error) return { code: "unknown", message: e.message, state: null };
  return { code: "unknown", message: "Something went wrong.", state: null };
}

/**
 * Calls a command of the core.
 *
 * Rejects with an `IpcError` (never anything else); its `state`, when set, says how to render
 * the failure of this one action.
 */
export async function invoke<C extends CommandName>(command: C, ...args: ArgsOf<C> extends Record<string, never> ? [] : [ArgsOf<C>]): Promise<ResultOf<C>> {
  const b = await current();
  try {
    return (await b.invoke(command, (args[0] ?? {}) as Record<string, unknown>)) as ResultOf<C>;
  } catch (e) {
    const err = toIpcError(e);
    console.warn(`ipc: ${command} failed: ${err.code}`);
    throw err;
  }
}

/** Subscribes to an event of the core; call the returned function to stop. */
export function listen<E extends keyof Events>(event: E, handler: (payload: Events[E]) => void): () => void {
  let stopped = false;
  let un: (() => void) | null = null;
  void current().then((b) => {
    if (!stopped) un = b.listen(event, handler as (p: unknown) => void);
  });
  return () => {
    stopped = true;
    un?.();
  };
}
