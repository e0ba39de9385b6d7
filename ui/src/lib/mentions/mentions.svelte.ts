//! MentionState: mention badges (apart from unread counts), saved-message ids and notification
//! mutes of one signed-in window.
//!
//! Mention counts come from the core's account database (it records every cached message that
//! names the user with `<@id>` or replies to them, so the badges survive a restart) and grow
//! with live `message_create` events; opening a channel marks its mentions seen. Mutes are
//! kept in the account's server-side settings (strings: comma-separated ids) through
//! synced-settings, and the shell is told which channels stay silent.

import { createContext } from "svelte";
import { invoke } from "../ipc";
import { accountSetting, saveAccountSetting } from "../account/synced-settings";
import type { ChatState } from "../state/chat.svelte";
import type { IpcError, Message } from "../types";

/** Settings keys of the mute lists (values: comma-separated ids). */
export const MUTED_CHANNELS = "muted_channels";
export const MUTED_SERVERS = "muted_servers";

/** Whether `content` names `userId` as `<@id>` or `<@!id>`. */
export function mentionsUser(content: string, userId: string): boolean {
  return userId !== "" && (content.includes(`<@${userId}>`) || content.includes(`<@!${userId}>`));
}

/** Parses a comma-separated id list (blank and junk entries dropped). */
export function parseIds(raw: string | undefined | null): string[] {
  return (raw ?? "").split(",").map((s) => s.trim()).filter((s) => /^\d{1,25}$/.test(s));
}

/** Mention badges, saved ids and mutes for one window. */
export class MentionState {
  /** Unseen mentions per channel id. */
  counts = $state.raw<Record<string, number>>({});
  mutedChannels = $state.raw<string[]>([]);
  mutedServers = $state.raw<string[]>([]);
  /** Ids of the user's saved messages (known once loaded or after a save here). */
  saved = $state.raw<Readonly<Record<string, true>>>({});
  /** The open channel/server context menu, if any (rendered by the chat screen). */
  menu = $state.raw<MenuTarget | null>(null);

  /** Unseen mentions per server id ("home" for DMs). */
  serverCounts: Record<string, number> = $derived.by(() => {
    const out: Record<string, number> = {};
    for (const [cid, n] of Object.entries(this.counts)) {
      if (n <= 0) continue;
      const sid = this.chat.serverOf(cid);
      const key = sid === null ? "home" : sid;
      if (key !== undefined) out[key] = (out[key] ?? 0) + n;
    }
    return out;
  });
  /** Every unseen mention, for the tray. */
  total: number = $derived(Object.values(this.counts).reduce((sum, n) => sum + n, 0));

  constructor(private readonly chat: ChatState) {}

  /** Loads the badges from the account database and the mutes from the account settings. */
  async start(): Promise<void> {
    const [counts, settings] = await Promise.all([
      invoke("mention_counts").catch(() => ({}) as Record<string, number>),
      invoke("get_user_settings").catch(() => ({}) as Record<string, string>),
    ]);
    // Live events that arrived meanwhile are kept on top of the stored counts.
    const merged: Record<string, number> = { ...counts };
    for (const [cid, n] of Object.entries(this.counts)) merged[cid] = Math.max(merged[cid] ?? 0, n);
    this.counts = merged;
    this.mutedChannels = parseIds(accountSetting(MUTED_CHANNELS, settings));
    this.mutedServers = parseIds(accountSetting(MUTED_SERVERS, settings));
    this.pushMutes();
  }

  /** Whether `m` mentions the user or replies to one of their messages. */
  isMention(m: Message): boolean {
    const me = this.chat.me.id;
    if (m.author_id === me) return false;
    if (mentionsUser(m.content, me)) return true;
    if (!m.reply_to_id) return false;
    return (this.chat.messages[m.channel_id] ?? []).some((x) => x.id === m.reply_to_id && x.author_id === me);
  }

  /** A new message arrived: it counts on the badge unless the user is looking at it. */
  onMessage(m: Message): void {
    if (!this.isMention(m)) return;
    if (m.channel_id === this.chat.channelId && this.chat.isWindowFocused) {
      void invoke("mark_mentions_seen", { channel_id: m.channel_id }).catch(() => undefined);
      return;
    }
    this.counts = { ...this.counts, [m.channel_id]: (this.counts[m.channel_id] ?? 0) + 1 };
  }

  /** The user is looking at `channelId`: its mentions are seen (here and in the database). */
  seen(channelId: string): void {
    if (this.counts[channelId]) {
      const { [channelId]: _gone, ...rest } = this.counts;
      this.counts = rest;
    }
    void invoke("mark_mentions_seen", { channel_id: channelId }).catch(() => undefined);
  }

  isChannelMuted(id: string): boolean {
    return this.mutedChannels.includes(id);
  }

  isServerMuted(id: string): boolean {
    return this.mutedServers.includes(id);
  }

  /** Opens the context menu for a right click or a keyboard request; other keys pass. */
  requestMenu(e: MouseEvent | KeyboardEvent, kind: MenuTarget["kind"], id: string, name: string): void {
    const target = menuRequest(e, kind, id, name);
    if (!target) return;
    e.preventDefault();
    this.menu = target;
  }

  /** Mutes or unmutes a channel's notifications; kept in the account's settings. */
  async toggleChannelMute(id: string): Promise<void> {
    this.mutedChannels = this.isChannelMuted(id) ? this.mutedChannels.filter((x) => x !== id) : [...this.mutedChannels, id];
    this.pushMutes();
    await saveAccountSetting(MUTED_CHANNELS, this.mutedChannels.join(","));
  }

  /** Mutes or unmutes a whole server's notifications; kept in the account's settings. */
  async toggleServerMute(id: string): Promise<void> {
    this.mutedServers = this.isServerMuted(id) ? this.mutedServers.filter((x) => x !== id) : [...this.mutedServers, id];
    this.pushMutes();
    await saveAccountSetting(MUTED_SERVERS, this.mutedServers.join(","));
  }

  /** Tells the shell which channels stay silent (a muted server's channels included). */
  pushMutes(): void {
    const ids = [...this.mutedChannels];
    for (const sid of this.mutedServers) for (const c of this.chat.channelsByServer[sid] ?? []) if (!ids.includes(c.id)) ids.push(c.id);
    void invoke("set_notification_mutes", { channel_ids: ids }).catch(() => undefined);
  }

  /** Loads which messages are saved (for the menu's Save/Unsave). */
  async loadSaved(): Promise<void> {
    const list = await invoke("list_saved").catch(() => null);
    if (list) this.setSaved(list.map((s) => s.bookmark.message_id));
  }

  /** Whether the message is one of the user's saved messages (as far as this window knows). */
  isSaved(id: string): boolean {
    return this.saved[id] === true;
  }

  /** Replaces the known saved ids (a fresh list from the server). */
  setSaved(ids: string[]): void {
    this.saved = Object.fromEntries(ids.map((id) => [id, true as const]));
  }

  /** Notes one message as saved or not. */
  markSaved(id: string, isSaved: boolean): void {
    const { [id]: _old, ...rest } = this.saved;
    this.saved = isSaved ? { ...rest, [id]: true } : rest;
  }

  /** Saves or unsaves a message; a refusal is said inline by the chat. */
  async toggleSaved(m: Message): Promise<void> {
    const isSaved = this.isSaved(m.id);
    try {
      if (isSaved) await invoke("unsave_message", { message_id: m.id });
      else await invoke("save_message", { channel_id: m.channel_id, message_id: m.id, label: null });
    } catch (e) {
      this.chat.fail(e as IpcError, { channelId: m.channel_id });
      return;
    }
    this.markSaved(m.id, !isSaved);
  }
}

/** Context accessors for the window's MentionState. */
export const [getMentions, setMentions] = createContext<MentionState>();

/** Where a channel or server context menu opens, and for what. */
export type MenuTarget = { kind: "channel" | "server"; id: string; name: string; x: number; y: number; opener: HTMLElement | null };

/**
 * The target of a context-menu request on `el` (right click, the Menu key, Shift+F10), or
 * `null` when the event is not one; a keyboard request opens the menu beside the element.
 */
export function menuRequest(e: MouseEvent | KeyboardEvent, kind: MenuTarget["kind"], id: string, name: string): MenuTarget | null {
  const el = e.currentTarget instanceof HTMLElement ? e.currentTarget : null;
  if (e instanceof KeyboardEvent) {
    if (!(e.key === "ContextMenu" || (e.key === "F10" && e.shiftKey))) return null;
    const r = el?.getBoundingClientRect();
    return { kind, id, name, x: r ? r.left + 16 : 0, y: r ? r.bottom : 0, opener: el };
  }
  return { kind, id, name, x: e.clientX, y: e.clientY, opener: el };
}
