//! The one door between the web UI and the Rust core.
//!
//! `invoke` is typed by the `Commands` map (command name → args and result) and turns every
//! rejection into an `IpcError`, so components branch on `error.state`, never on message text.
//! `listen` subscribes to `ui-state` or `chat-event` and returns a plain unlisten function.
//! Outside Tauri (plain browser, Vitest) the calls go to an in-memory backend instead.

import type { Commands as GeneratedCommands } from "./bindings/commands";
import type { OutboxUpdate } from "./bindings/OutboxUpdate";
import type { ChannelUnread } from "./bindings/ChannelUnread";
import type { PendingCommands } from "./pending-types";
import type { Event, IpcError, UiState } from "./types";

/**
 * Every command: its `args` object (snake_case, as the Rust side names them; `null` for none)
 * and result. Generated entries win; the pending ones fill in until the shell exports them.
 */
export type Commands = GeneratedCommands & Omit<PendingCommands, keyof GeneratedCommands>;

/** A command name. */
export type CommandName = keyof Commands;
/** The argument object of a command. */
export type ArgsOf<C extends CommandName> = Commands[C]["args"];
/** The resolved value of a command. */
export type ResultOf<C extends CommandName> = Commands[C]["result"];

/** Events the core emits to the window. */
export type Events = {
  "ui-state": UiState;
  "chat-event": Event;
  /** Changes to the core's persisted outbox (pending, failed and delivered sends). */
  "outbox-update": OutboxUpdate;
  /** The core's whole unread list after every change (counts, last-read, manual marks). */
  "unread-update": ChannelUnread[];
  /** An invite link was handed to the app; `take_pending_invite` gives it once signed in. */
  "deep-link": null;
  /** Files dropped on the window (Tauri reports paths; the DOM drop event has none). */
  "tauri://drag-drop": { paths: string[] };
};

/** What actually carries the calls: Tauri in the app, the mock backend elsewhere. */
export interface Backend {
  /** `args` is `null` for commands without arguments. */
  invoke(command: string, args: Record<string, unknown> | null): Promise<unknown>;
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

/** What Tauri puts on `window` (the same entry point `@tauri-apps/api/core`'s `invoke` uses). */
type TauriInternals = { invoke(cmd: string, args: Record<string, unknown>): Promise<unknown> };

/**
 * The backend inside the Tauri window. Commands go straight to Tauri's IPC, so the first answer
 * (which picks the first screen) waits for no chunk; the event module loads on first `listen`.
 */
export async function tauriBackend(): Promise<Backend> {
  const internals = () => (window as unknown as { __TAURI_INTERNALS__: TauriInternals }).__TAURI_INTERNALS__;
  let events: Promise<typeof import("@tauri-apps/api/event")> | null = null;
  return {
    // Every Rust command takes its arguments as one `args` struct (see src-tauri/src/commands).
    invoke: (command, args) => internals().invoke(command, args === null ? {} : { args }),
    listen(event, handler) {
      // Tauri's listen is async; an unlisten requested before it resolves must still run.
      let stopped = false;
      let un: (() => void) | null = null;
      void (events ??= import("@tauri-apps/api/event"))
        .then((ev) => ev.listen(event, (e) => handler(e.payload)))
        .then((f) => {
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
    : import("./mock-backend").then((m) => {
        const mock = m.createMockBackend({ demo: true });
        // Browser-only demo: lets a developer script states from the devtools console.
        (window as unknown as { __PLEXICHAT_MOCK__: unknown }).__PLEXICHAT_MOCK__ = mock;
        return mock;
      });
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
    return { code: e.code, message: String(e.message), state: e.state ?? null };
  }
  if (typeof e === "string") return { code: "internal", message: e, state: null };
  if (e instanceof Error) return { code: "internal", message: e.message, state: null };
  return { code: "internal", message: "Something went wrong.", state: null };
}

/**
 * Calls a command of the core.
 *
 * Rejects with an `IpcError` (never anything else); its `state`, when set, says how to render
 * the failure of this one action.
 */
export async function invoke<C extends CommandName>(command: C, ...args: ArgsOf<C> extends null ? [] : [ArgsOf<C>]): Promise<ResultOf<C>> {
  const b = await current();
  try {
    return (await b.invoke(command, (args[0] ?? null) as Record<string, unknown> | null)) as ResultOf<C>;
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
