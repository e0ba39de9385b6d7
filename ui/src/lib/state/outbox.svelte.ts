//! OutboxState: messages the user sent that the server has not confirmed yet, and uploads.
//!
//! The core owns retries: a send rejected as `rate_limited` is retried by the core and
//! arrives later as a `message_create`. Here the pending item only shows that countdown
//! ("Sending in 3 s…") with the user's text kept, and leaves when the message arrives.
//! A permanent failure keeps the text too, and the user chooses to retry or discard.

import { createContext } from "svelte";
import { invoke } from "../ipc";
import type { ChatState } from "./chat.svelte";
import type { IpcError, Message, UiState, UploadProgress } from "../types";
import type { OutboxEntry } from "../bindings/OutboxEntry";

/** A message not confirmed yet. */
export type PendingMessage = {
  local_id: string;
  channel_id: string;
  content: string;
  reply_to_id: string | null;
  status: "sending" | "rate_limited" | "failed";
  retry_at: number | null;
  error: string | null;
};

/** A file being uploaded. */
export type Upload = { key: string; upload_id: string | null; channel_id: string; filename: string; sent: number; total: number };

/** A notice shown on the composer of a channel. */
export type ComposerNotice = { kind: "cannot_message" | "forbidden" | "field"; text: string };

let counter = 0;

/** The server's filter answers "Internal server error": say what it means instead. */
const CONTENT_REJECTED = "The server refused this message's content. Edit it and try again.";

/** Local ids of entries restored from the core's outbox start with this. */
const OUTBOX_PREFIX = "outbox-";

/** Pending sends and uploads of one window. */
export class OutboxState {
  items = $state.raw<PendingMessage[]>([]);
  uploads = $state.raw<Upload[]>([]);
  notices = $state.raw<Record<string, ComposerNotice>>({});
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- only read by event handlers, never rendered
  private cancelled = new Set<string>();

  constructor(private chat: ChatState) {}

  /** Pending messages of a channel, oldest first. */
  forChannel(channelId: string): PendingMessage[] {
    return this.items.filter((p) => p.channel_id === channelId);
  }

  /** Sends a message; resolves once the attempt is settled (sent, waiting or failed). */
  async send(channel_id: string, content: string, reply_to_id: string | null): Promise<void> {
    const item: PendingMessage = { local_id: `local-${++counter}`, channel_id, content, reply_to_id, status: "sending", retry_at: null, error: null };
    this.items = [...this.items, item];
    await this.attempt(item);
  }

  private async attempt(item: PendingMessage) {
    try {
      const m = await invoke("send_message", { channel_id: item.channel_id, content: item.content, reply_to_id: item.reply_to_id });
      this.chat.addMessage(m.channel_id === item.channel_id ? m : { ...m, channel_id: item.channel_id });
      this.drop(item.local_id);
      this.clearNotice(item.channel_id);
    } catch (e) {
      this.failed(item, e as IpcError);
    }
  }

  private failed(item: PendingMessage, err: IpcError) {
    const st = err.state;
    if (st?.state === "rate_limited") {
      this.patch(item.local_id, { status: "rate_limited", retry_at: st.retry_at, error: null });
      return;
    }
    if (st?.state === "forbidden") {
      const isBlocked = st.reason === "cannot_message_user";
      this.notices = {
        ...this.notices,
        [item.channel_id]: {
          kind: isBlocked ? "cannot_message" : "forbidden",
          text: isBlocked ? "You can't message this user." : "You don't have permission to send messages here.",
        },
      };
    }
    if (st?.state === "not_found" && st.entity === "channel") {
      this.chat.fail(err, { channelId: item.channel_id });
      this.drop(item.local_id);
      return;
    }
    const text =
      st?.state === "content_rejected"
        ? CONTENT_REJECTED
        : st?.state === "invalid_input" || st?.state === "conflict"
        ? st.message
        : st?.state === "forbidden"
          ? "Not sent."
          : err.message;
    this.patch(item.local_id, { status: "failed", error: text, retry_at: null });
  }

  /**
   * Takes an app-wide state. A non-global `rate_limited` while sends are in flight means the
   * core is waiting before it sends them (it retries by itself): they show "Sending in N s…".
   */
  onAppState(s: UiState): void {
    if (s.state !== "rate_limited" || s.global) return;
    if (!this.items.some((p) => p.status === "sending")) return;
    this.items = this.items.map((p) => (p.status === "sending" ? { ...p, status: "rate_limited", retry_at: s.retry_at } : p));
  }

  /** The core delivered a message: the matching pending item (ours, same text) is done. */
  onDelivered(m: Message): void {
    if (m.author_id !== this.chat.me.id) return;
    const hit = this.items.find((p) => p.channel_id === m.channel_id && p.content === m.content && p.status !== "failed");
    if (hit) this.drop(hit.local_id);
  }

  /**
   * A rejected-as-rate-limited send whose wait is over and that the core has not delivered:
   * give the choice back to the user (the core does not retry waits it refused to sleep).
   */
  expire(local_id: string): void {
    const item = this.items.find((p) => p.local_id === local_id);
    if (item?.status === "rate_limited") this.patch(local_id, { status: "failed", error: "rate limited", retry_at: null });
  }

  /** Tries a failed message again, by the user's choice. */
  retry(local_id: string): Promise<void> {
    const item = this.items.find((p) => p.local_id === local_id);
    if (!item) return Promise.resolve();
    const next = { ...item, status: "sending" as const, error: null };
    this.patch(local_id, next);
    return this.attempt(next);
  }

  /**
   * Shows sends still in the core's persisted outbox from an earlier run (the app quit or
   * crashed with messages pending); the core delivers them and the echo clears them.
   */
  restore(entries: OutboxEntry[]): void {
    const known = this.items.map((p) => p.local_id);
    const restored: PendingMessage[] = [];
    for (const e of entries) {
      const local_id = `${OUTBOX_PREFIX}${e.local_id}`;
      if (known.includes(local_id) || (e.item.kind !== "text" && e.item.kind !== "reply")) continue;
      const isFailed = e.state.state === "failed";
      restored.push({
        local_id,
        channel_id: e.channel_id,
        content: e.item.content,
        reply_to_id: e.item.kind === "reply" ? e.item.reply_to_id : null,
        status: isFailed ? "failed" : "sending",
        retry_at: null,
        error:
          e.state.state !== "failed" ? null : e.state.reason.state === "content_rejected" ? CONTENT_REJECTED : "message" in e.state.reason ? e.state.reason.message : null,
      });
    }
    if (restored.length > 0) this.items = [...restored, ...this.items];
  }

  /** Forgets a pending message; returns its text so the composer can take it back. */
  discard(local_id: string): string {
    const item = this.items.find((p) => p.local_id === local_id);
    this.drop(local_id);
    // An entry restored from the outbox is also removed there, so it is never sent.
    if (local_id.startsWith(OUTBOX_PREFIX)) {
      void invoke("cancel_send", { local_id: Number(local_id.slice(OUTBOX_PREFIX.length)) }).catch(() => undefined);
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

  private drop(local_id: string) {
    this.items = this.items.filter((p) => p.local_id !== local_id);
  }

  private patch(local_id: string, change: Partial<PendingMessage>) {
    this.items = this.items.map((p) => (p.local_id === local_id ? { ...p, ...change } : p));
  }

  /** Starts uploading a file by path. */
  async upload(channel_id: string, path: string): Promise<void> {
    const filename = path.split(/[\\/]/).pop() ?? path;
    const key = `upload-${++counter}`;
    this.uploads = [...this.uploads, { key, upload_id: null, channel_id, filename, sent: 0, total: 0 }];
    try {
      await invoke("upload_attachment", { channel_id, path });
      this.uploads = this.uploads.filter((u) => u.key !== key);
    } catch (e) {
      this.uploads = this.uploads.filter((u) => u.key !== key);
      this.failed({ local_id: "", channel_id, content: "", reply_to_id: null, status: "failed", retry_at: null, error: null }, e as IpcError);
    }
  }

  /** Progress of an upload from the core. */
  onProgress(p: UploadProgress): void {
    if (this.cancelled.has(p.upload_id)) return;
    const known = this.uploads.find((u) => u.upload_id === p.upload_id) ?? this.uploads.find((u) => u.upload_id === null && u.filename === p.filename);
    const next: Upload = { key: known?.key ?? `upload-${++counter}`, upload_id: p.upload_id, channel_id: p.channel_id, filename: p.filename, sent: p.sent, total: p.total };
    if (p.done) this.uploads = this.uploads.filter((u) => u !== known);
    else this.uploads = known ? this.uploads.map((u) => (u === known ? next : u)) : [...this.uploads, next];
  }

  /** Stops showing an upload; progress for it is ignored from now on. */
  cancelUpload(u: Upload): void {
    if (u.upload_id) this.cancelled.add(u.upload_id);
    this.uploads = this.uploads.filter((x) => x !== u);
  }
}

/** Context accessors for the window's OutboxState. */
export const [getOutbox, setOutbox] = createContext<OutboxState>();
