//! OutboxState: messages the user sent that the server has not confirmed yet, and uploads.
//!
//! The core's persisted outbox is the source of truth (matrix-rust-sdk's send queue, STYLE.md
//! §1.2): `queue_message` writes the send to disk and returns its local id at once; the core
//! delivers it, waits out rate limits and offline periods, and marks a send that can't succeed
//! `failed`, keeping its text, until the user retries or cancels it. This class mirrors that
//! queue from `list_outbox` (at start and after a lag) and the `outbox-update` events, so a
//! failed send is still there, with Retry / Edit / Delete, after the app restarts.
//!
//! Events race the `queue_message` reply (the core emits `queued`, even `sent`, before the
//! invoke resolves): a send shows at once under a local key, is adopted by its `queued` event
//! or bound when the reply comes, and ids already sent or cancelled are remembered so that a
//! late reply or snapshot never brings a delivered send back.

import { createContext } from "svelte";
import { invoke, listen } from "../ipc";
import { formatDateTime } from "../format";
import type { ChatState } from "./chat.svelte";
import type { IpcError, Message, UiState } from "../types";
import type { OutboxEntry } from "../bindings/OutboxEntry";
import type { OutboxUpdate } from "../bindings/OutboxUpdate";
import { OUTBOX_EVENT } from "../bindings/commands";
import { formatBytes } from "../format";

/** A message not confirmed yet. */
export type PendingMessage = {
  /** `outbox-<n>` once the core holds it (n = its outbox local id), `local-<n>` before. */
  local_id: string;
  channel_id: string;
  content: string;
  reply_to_id: string | null;
  /** The file of an attachment send (its bytes stay in the core), null for text. */
  filename: string | null;
  status: "sending" | "rate_limited" | "failed";
  retry_at: number | null;
  /** Why it failed (failed only). */
  error: string | null;
  /** Why a pending send waits, e.g. "Waiting for connection…" (sending only). */
  note: string | null;
  /** Bytes of the file gone out so far, while it uploads (files only). */
  progress?: { sent: number; total: number } | null;
};

/** What `outbox-update` carries (`resync` when the shell fell behind). */
export type OutboxEvent = OutboxUpdate;

/** A file being read and handed to the outbox. */
export type Upload = { key: string; channel_id: string; filename: string };

/** A notice shown on the composer of a channel. */
export type ComposerNotice = { kind: "cannot_message" | "forbidden" | "field" | "sent_late"; text: string };

let counter = 0;

/** The server's filter answers "Internal server error": say what it means instead. */
const CONTENT_REJECTED = "The server refused this message's content. Edit it and try again.";

/** Keys of sends the core's outbox holds start with this. */
const OUTBOX_PREFIX = "outbox-";

function outboxKey(id: number): string {
  return `${OUTBOX_PREFIX}${id}`;
}

/** The core's local id behind a key, or null for a send the core never took. */
function coreId(key: string): number | null {
  return key.startsWith(OUTBOX_PREFIX) ? Number(key.slice(OUTBOX_PREFIX.length)) : null;
}

/** What a failed send says next to "Not sent". */
function failureText(st: UiState | null, fallback: string | null): string | null {
  if (st?.state === "content_rejected") return CONTENT_REJECTED;
  if (st?.state === "invalid_input" || st?.state === "conflict") return st.message;
  if (st?.state === "forbidden") return "Not sent.";
  if (st?.state === "rate_limited") return "rate limited";
  if (st && "message" in st) return st.message;
  return fallback;
}

/** Why a send the core will try again is waiting. */
function waitingNote(st: UiState): string {
  if (st.state === "offline" || st.state === "reconnecting" || st.state === "connecting") return "Waiting for connection…";
  if (st.state === "server_error" || st.state === "service_unavailable") return "Server trouble, trying again soon…";
  return "Waiting to try again…";
}

/** Subscribes to the core's `outbox-update` event. */
export function listenOutbox(handler: (u: OutboxEvent) => void): () => void {
  return listen(OUTBOX_EVENT, handler);
}

/** Pending sends and uploads of one window. */
export class OutboxState {
  /** Pending messages on screen, oldest first. */
  items = $state.raw<PendingMessage[]>([]);
  uploads = $state.raw<Upload[]>([]);
  notices = $state.raw<Record<string, ComposerNotice>>({});
  /** The largest file this account may send (bytes), once the server said; null before. */
  maxFileBytes = $state<number | null>(null);
  private limitsAsked: Promise<number | null> | null = null;
  // The sets and maps below are only read by event handlers, never rendered.
  /** Core ids sent, cancelled or dropped: a late event, reply or snapshot must not revive them. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private settled = new Set<number>();
  /** The latest update for a core id not on screen yet (it raced the `queue_message` reply). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private early = new Map<number, OutboxUpdate>();
  /** Local keys whose `queue_message` is in flight. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private inflight = new Set<string>();
  /**
   * Sends hidden because their gateway echo showed before the core said `sent`: the row goes
   * exactly when the message appears, and comes back if the core says otherwise.
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private echoed = new Map<string, PendingMessage>();
  /** Edits, deletes and reactions in the outbox: no row, but a refusal must still be said. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private changes = new Map<number, { channel_id: string; message_id: string }>();

  constructor(private chat: ChatState) {}

  /** Pending messages of a channel, oldest first. */
  forChannel(channelId: string): PendingMessage[] {
    return this.items.filter((p) => p.channel_id === channelId);
  }

  /**
   * Sends a message through the core's outbox; resolves once the core holds it (or refused to
   * take it: then the item shows failed with its text). Delivery is reported by events.
   */
  async send(channel_id: string, content: string, reply_to_id: string | null): Promise<void> {
    const item: PendingMessage = { local_id: `local-${++counter}`, channel_id, content, reply_to_id, filename: null, status: "sending", retry_at: null, error: null, note: null };
    this.items = [...this.items, item];
    await this.enqueue(item.local_id);
  }

  /** Hands a send the core does not hold yet to `queue_message`. */
  private async enqueue(key: string): Promise<void> {
    const item = this.find(key);
    if (!item) return;
    this.inflight.add(key);
    let id: number;
    try {
      id = await invoke("queue_message", { channel_id: item.channel_id, content: item.content, reply_to_id: item.reply_to_id });
    } catch (e) {
      this.inflight.delete(key);
      this.fail(key, (e as IpcError).state, (e as IpcError).message);
      return;
    }
    this.inflight.delete(key);
    this.bind(key, id);
  }

  /** The core took the send shown under `key` as entry `id`. */
  private bind(key: string, id: number) {
    const item = this.find(key);
    // Already adopted by its `queued` event.
    if (!item) return;
    if (this.settled.has(id) || this.find(outboxKey(id))) {
      this.remove(key);
      const u = this.early.get(id);
      this.early.delete(id);
      if (u?.update === "sent") this.delivered(item.channel_id, u.message);
      return;
    }
    this.rekey(key, outboxKey(id));
    this.applyEarly(id);
  }

  /** Applies one `outbox-update`. */
  onUpdate(u: OutboxEvent): void {
    if (u.update === "resync") {
      void this.resync();
      return;
    }
    if (u.update === "queued") {
      this.upsert(u.entry, "end");
      return;
    }
    // The "Scheduled" list reloads itself; a message that went out after its time says so
    // where it was sent.
    if (u.update === "scheduled_changed") return;
    if (u.update === "scheduled_sent") {
      if (u.scheduled.status === "sent_late") {
        const due = formatDateTime(u.scheduled.scheduled_at);
        this.notices = {
          ...this.notices,
          [u.scheduled.channel_id]: { kind: "sent_late", text: `A scheduled message was sent late: it was due ${due}, while the app was closed.` },
        };
      }
      return;
    }
    const change = this.changes.get(u.local_id);
    if (change) {
      if (u.update === "sent" || u.update === "cancelled") this.changes.delete(u.local_id);
      else if (u.update === "failed") this.refuseChange(u.local_id, change, u.state);
      return;
    }
    const key = outboxKey(u.local_id);
    const item = this.find(key);
    if (!item) {
      if (this.settled.has(u.local_id)) return;
      if (u.update === "sent" || u.update === "cancelled") this.settled.add(u.local_id);
      this.early.set(u.local_id, u);
      return;
    }
    switch (u.update) {
      case "progress":
        this.patch(key, { progress: { sent: u.sent, total: u.total }, note: null });
        break;
      case "sending":
      case "retrying":
        this.patch(key, { status: "sending", retry_at: null, error: null, note: null });
        break;
      case "waiting":
        if (u.state.state === "rate_limited") this.patch(key, { status: "rate_limited", retry_at: u.state.retry_at, error: null, note: null, progress: null });
        else this.patch(key, { status: "sending", retry_at: null, error: null, note: waitingNote(u.state), progress: null });
        break;
      case "sent":
        this.settled.add(u.local_id);
        this.remove(key);
        this.delivered(item.channel_id, u.message);
        break;
      case "cancelled":
        this.settled.add(u.local_id);
        this.remove(key);
        break;
      case "failed":
        this.fail(key, u.state, null);
        break;
    }
  }

  /** Shows the core's message for a delivered send; keyed by the channel we sent to. */
  private delivered(channelId: string, m: Message | null) {
    if (m) this.chat.addMessage(m.channel_id === channelId ? m : { ...m, channel_id: channelId });
    // "Sent late" stays until dismissed: it is about this very delivery.
    if (this.notices[channelId]?.kind !== "sent_late") this.clearNotice(channelId);
  }

  /**
   * An edit, delete or reaction the server refused after the command that queued it had
   * answered (it waited first): say so, and drop it so it does not linger in the outbox unseen.
   */
  private refuseChange(id: number, change: { channel_id: string; message_id: string }, st: UiState) {
    this.changes.delete(id);
    this.chat.fail({ code: "failed", message: "message" in st ? st.message : "The change was refused.", state: st }, { channelId: change.channel_id, messageId: change.message_id });
    // The shell may have dropped it already (it does when it answers the refusal itself).
    invoke("cancel_send", { local_id: id }).catch(() => undefined);
    // A queued edit or delete is shown before it is sent: put the server's version back.
    if (!(st.state === "not_found" && st.entity === "channel")) void this.chat.refresh(change.channel_id);
  }

  /** Shows a core entry (from `queued`, a snapshot or a resync) unless it is settled. */
  private upsert(e: OutboxEntry, at: "start" | "end") {
    if (this.settled.has(e.local_id)) return;
    const it = e.item;
    if (it.kind === "edit" || it.kind === "delete" || it.kind === "reaction") {
      const change = { channel_id: e.channel_id, message_id: it.message_id };
      this.changes.set(e.local_id, change);
      if (e.state.state === "failed") this.refuseChange(e.local_id, change, e.state.reason);
      return;
    }
    const key = outboxKey(e.local_id);
    const content = it.content;
    const reply_to_id = it.kind === "reply" ? it.reply_to_id : null;
    const filename = it.kind === "attachment" ? it.filename : null;
    if (!this.find(key)) {
      // Our own send whose reply has not come yet: same channel and text, oldest first (the
      // core numbers entries in the order the UI queued them).
      const mine = [...this.inflight]
        .map((k) => this.find(k))
        .find((p) => p && filename === null && p.channel_id === e.channel_id && p.content === content && p.reply_to_id === reply_to_id);
      if (mine) {
        this.inflight.delete(mine.local_id);
        this.rekey(mine.local_id, key);
      } else {
        const item: PendingMessage = { local_id: key, channel_id: e.channel_id, content, reply_to_id, filename, status: "sending", retry_at: null, error: null, note: null };
        this.items = at === "start" ? [item, ...this.items] : [...this.items, item];
      }
    }
    // A snapshot's failure is old news: no notice, no channel removal, just the red row.
    if (e.state.state === "failed") this.fail(key, e.state.reason, null, false);
    else if (this.find(key)?.status === "failed") this.patch(key, { status: "sending", error: null });
    this.applyEarly(e.local_id);
  }

  private applyEarly(id: number) {
    const u = this.early.get(id);
    if (!u) return;
    this.early.delete(id);
    this.settled.delete(id);
    this.onUpdate(u);
  }

  /**
   * Shows sends still in the core's persisted outbox, queued or failed, from an earlier run
   * (the app quit or crashed with messages pending).
   */
  restore(entries: OutboxEntry[]): void {
    for (const e of [...entries].reverse()) this.upsert(e, "start");
  }

  /** Reloads the core's outbox after missed updates: it says what is still pending. */
  async resync(): Promise<void> {
    // Entries queued after the snapshot was taken have higher ids: only older ones may be gone.
    const known = [...this.items, ...this.echoed.values()].map((p) => coreId(p.local_id) ?? -1);
    const newestBefore = Math.max(-1, ...known);
    let entries: OutboxEntry[];
    try {
      entries = await invoke("list_outbox");
    } catch {
      return;
    }
    const present = entries.map((e) => e.local_id);
    for (const p of [...this.items, ...this.echoed.values()]) {
      const id = coreId(p.local_id);
      if (id !== null && id <= newestBefore && !present.includes(id)) {
        this.settled.add(id);
        this.remove(p.local_id);
      }
    }
    for (const e of entries) this.upsert(e, "end");
  }

  /** Marks a send failed, with what the user can do about it; `live` for a failure just now. */
  private fail(key: string, st: UiState | null, fallback: string | null, live = true) {
    const item = this.find(key);
    if (!item) return;
    if (live && st?.state === "forbidden") this.setNotice(item.channel_id, st);
    if (live && st?.state === "not_found" && st.entity === "channel") {
      this.chat.fail({ code: "failed", message: st.message, state: st }, { channelId: item.channel_id });
      this.discard(key);
      return;
    }
    this.reveal(key);
    this.patch(key, { status: "failed", error: failureText(st, fallback), retry_at: null, note: null, progress: null });
  }

  private setNotice(channelId: string, st: Extract<UiState, { state: "forbidden" }>) {
    const isBlocked = st.reason === "cannot_message_user";
    this.notices = {
      ...this.notices,
      [channelId]: {
        kind: isBlocked ? "cannot_message" : "forbidden",
        text: isBlocked ? "You can't message this user." : "You don't have permission to send messages here.",
      },
    };
  }

  /**
   * Takes an app-wide state. A non-global `rate_limited` while sends are in flight means the
   * core is waiting before it sends them: they show "Sending in N s…".
   */
  onAppState(s: UiState): void {
    if (s.state !== "rate_limited" || s.global) return;
    if (!this.items.some((p) => p.status === "sending")) return;
    this.items = this.items.map((p) => (p.status === "sending" ? { ...p, status: "rate_limited", retry_at: s.retry_at } : p));
  }

  /**
   * The gateway echoed one of our messages: the matching pending send (same channel, text and
   * file) leaves the screen now, as the message appears; the core's `sent` settles it for good.
   */
  onDelivered(m: Message): void {
    if (m.author_id !== this.chat.me.id) return;
    const hit = this.items.find(
      (p) =>
        p.channel_id === m.channel_id &&
        p.content === m.content &&
        p.status !== "failed" &&
        (p.filename === null ? m.attachments.length === 0 : m.attachments.some((a) => a.filename === p.filename)),
    );
    if (!hit) return;
    this.echoed.set(hit.local_id, hit);
    this.items = this.items.filter((p) => p !== hit);
  }

  /** Tries a failed message again, by the user's choice. */
  async retry(local_id: string): Promise<void> {
    const item = this.find(local_id);
    if (!item) return;
    this.patch(local_id, { status: "sending", error: null, retry_at: null, note: null });
    const id = coreId(local_id);
    if (id === null) return this.enqueue(local_id);
    try {
      await invoke("retry_send", { local_id: id });
    } catch (e) {
      await this.retryGone(local_id, id, e as IpcError);
    }
  }

  /**
   * `retry_send` refused: the entry is gone or not failed any more. Whatever the core holds
   * wins; if it holds nothing and the send was never delivered, queue the text again.
   */
  private async retryGone(key: string, id: number, err: IpcError) {
    let entries: OutboxEntry[];
    try {
      entries = await invoke("list_outbox");
    } catch {
      this.fail(key, err.state, err.message);
      return;
    }
    const entry = entries.find((e) => e.local_id === id);
    if (entry) this.upsert(entry, "end");
    // A file's bytes were in the lost entry only: the user has to pick it again.
    else if (this.find(key)?.filename) this.fail(key, err.state, err.message);
    else if (!this.settled.has(id) && this.find(key)) {
      const fresh = `local-${++counter}`;
      this.rekey(key, fresh);
      await this.enqueue(fresh);
    }
  }

  /**
   * Forgets a pending message and cancels it in the core's outbox; returns its text so the
   * composer can take it back (Edit).
   */
  discard(local_id: string): string {
    const item = this.find(local_id);
    this.remove(local_id);
    const id = coreId(local_id);
    if (id !== null) {
      this.settled.add(id);
      invoke("cancel_send", { local_id: id }).catch(() => {
        // Not cancelled (e.g. in flight right now): the core's list says what happens to it.
        this.settled.delete(id);
        void this.resync();
      });
    }
    return item?.content ?? "";
  }

  /** Clears a composer notice. */
  clearNotice(channelId: string): void {
    if (this.notices[channelId]) {
      const { [channelId]: _n, ...rest } = this.notices;
      this.notices = rest;
    }
  }

  private find(key: string): PendingMessage | undefined {
    return this.items.find((p) => p.local_id === key) ?? this.echoed.get(key);
  }

  private remove(key: string) {
    this.echoed.delete(key);
    this.inflight.delete(key);
    if (this.items.some((p) => p.local_id === key)) this.items = this.items.filter((p) => p.local_id !== key);
  }

  /** Brings a send hidden by an echo back on screen (the echo was another message). */
  private reveal(key: string) {
    const hidden = this.echoed.get(key);
    if (!hidden) return;
    this.echoed.delete(key);
    this.items = [...this.items, hidden];
  }

  private rekey(from: string, to: string) {
    const hidden = this.echoed.get(from);
    if (hidden) {
      this.echoed.delete(from);
      this.echoed.set(to, { ...hidden, local_id: to });
    }
    this.patch(from, { local_id: to });
  }

  private patch(key: string, change: Partial<PendingMessage>) {
    const hidden = this.echoed.get(key);
    if (hidden) this.echoed.set(key, { ...hidden, ...change });
    else this.items = this.items.map((p) => (p.local_id === key ? { ...p, ...change } : p));
  }

  /** The largest file this account may send, asked once per window (null: unknown). */
  loadLimits(): Promise<number | null> {
    this.limitsAsked ??= invoke("upload_limits").then(
      (l) => (this.maxFileBytes = l.max_file_bytes),
      () => {
        this.limitsAsked = null; // offline: ask again next time
        return null;
      },
    );
    return this.limitsAsked;
  }

  /**
   * Hands a file to the core's outbox: by path (dropped on the window), or by its bytes (the
   * file picker: the webview never sees the path). The row shows while the file is read and
   * copied; from then on the outbox's pending row takes over.
   */
  async upload(channel_id: string, source: string | File): Promise<void> {
    const filename = typeof source === "string" ? (source.split(/[\\/]/).pop() ?? source) : source.name;
    if (typeof source !== "string") {
      // Said before a byte is read or sent: the server would refuse it anyway.
      const max = this.maxFileBytes ?? (await this.loadLimits());
      if (max !== null && source.size > max) {
        this.notices = { ...this.notices, [channel_id]: { kind: "field", text: `${filename} is ${formatBytes(source.size)}: files can be up to ${formatBytes(max)} here.` } };
        return;
      }
    }
    const key = `upload-${++counter}`;
    this.uploads = [...this.uploads, { key, channel_id, filename }];
    try {
      if (typeof source === "string") await invoke("upload_attachment", { channel_id, path: source });
      else await invoke("queue_file", { channel_id, filename, data_base64: await toBase64(source) });
    } catch (e) {
      const err = e as IpcError;
      if (err.state?.state === "forbidden") this.setNotice(channel_id, err.state);
      else this.chat.fail(err, { channelId: channel_id });
    } finally {
      this.uploads = this.uploads.filter((u) => u.key !== key);
    }
  }
}

/** A file's bytes as standard base64 (the browser encodes natively, without a copy in JS). */
export function toBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(",") + 1));
    };
    reader.onerror = () => reject({ code: "invalid_argument", message: "The file could not be read.", state: null } satisfies IpcError);
    reader.readAsDataURL(file);
  });
}

/** Context accessors for the window's OutboxState. */
export const [getOutbox, setOutbox] = createContext<OutboxState>();
