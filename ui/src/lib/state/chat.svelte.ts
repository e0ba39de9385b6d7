//! ChatState: servers, channels, messages, unread counts, typing and presence of one signed-in
//! window, kept current by `chat-event`s from the core.
//!
//! Invariants: message arrays are ascending by id and free of duplicates (a message can arrive
//! both as a command result and as an event); an entity the core reports as `not_found` leaves
//! every list at once; large arrays are `$state.raw` and replaced, never mutated.

import { createContext } from "svelte";
import { invoke } from "../ipc";
import { Announcer } from "./announcer.svelte";
import { formatTime } from "../format";
import type { Channel, Event, IpcError, Member, Message, Relationship, Server, User } from "../types";
import type { Role } from "../bindings/Role";
import type { ChannelUnread } from "../bindings/ChannelUnread";
import { countsOf, firstUnread, type Divider } from "../unread/divider";

/** How many messages one page loads. */
export const PAGE_SIZE = 50;
/**
 * How many of a channel's newest messages stay in memory once the user is back at the bottom
 * (or has left the channel); scrolling up loads the rest again, page by page.
 */
export const KEEP_NEWEST = 300;
/**
 * The most messages one channel holds while the user reads far back: scrolling up past it
 * drops the newest side (loaded again page by page on the way down), so memory stays bounded
 * however long the history is.
 */
export const MAX_LOADED = 500;
/** How long a typing indicator lasts without a new typing event. */
export const TYPING_MS = 8_000;

/** Something to say inline in the current channel (not app-wide). */
export type InlineNotice = { kind: "not_found" | "forbidden" | "error"; text: string };

/** Why a server is no longer the user's. */
export type RemovalReason = "kicked" | "banned" | "deleted" | "removed";

/** Someone typing in a channel. */
export type Typist = { user_id: string; name: string; until: number };

/** Orders snowflake ids numerically (strings of different lengths). */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Merges messages into an ascending, duplicate-free array (later copies win). */
export function mergeMessages(existing: Message[], incoming: Message[]): Message[] {
  // An older page or a new message lies wholly before or after what is loaded: join the two
  // arrays instead of re-sorting the whole channel (scrolling up 10,000 messages 50 at a time
  // was quadratic work and garbage).
  const page = sortedUnique(incoming);
  if (page.length > 0 && existing.length > 0 && isAscending(existing)) {
    if (compareIds(page[page.length - 1].id, existing[0].id) < 0) return page.concat(existing);
    if (compareIds(page[0].id, existing[existing.length - 1].id) > 0) return existing.concat(page);
  }
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local temporary, never stored in state
  const byId = new Map(existing.map((m) => [m.id, m]));
  for (const m of page) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => compareIds(a.id, b.id));
}

/** Ascending and duplicate-free, later copies winning. */
function sortedUnique(list: Message[]): Message[] {
  const byId = new Map(list.map((m) => [m.id, m]));
  return [...byId.values()].sort((a, b) => compareIds(a.id, b.id));
}

function isAscending(list: Message[]): boolean {
  for (let i = 1; i < list.length; i++) if (compareIds(list[i - 1].id, list[i].id) >= 0) return false;
  return true;
}

/** Keys a message by the channel it was asked for: the server may echo another id (PROTOCOL.md §6). */
function withChannel(m: Message, channelId: string): Message {
  return m.channel_id === channelId ? m : { ...m, channel_id: channelId };
}

/**
 * The messages of `known` that a fresh newest `page` says nothing about: newer than the page
 * (an event that raced the request) or older than it (unless the page reaches the start).
 */
export function outsideSpan(known: Message[], page: Message[], isStart: boolean): Message[] {
  if (page.length === 0) return isStart ? [] : known;
  let oldest = page[0].id;
  let newest = page[0].id;
  for (const m of page) {
    if (compareIds(m.id, oldest) < 0) oldest = m.id;
    if (compareIds(m.id, newest) > 0) newest = m.id;
  }
  return known.filter((m) => compareIds(m.id, newest) > 0 || (!isStart && compareIds(m.id, oldest) < 0));
}

/** A channel's display name. */
export function channelName(c: Channel): string {
  return c.name ?? c.recipient?.username ?? "Direct message";
}

/** Chat data for one signed-in window. */
export class ChatState {
  /** The signed-in user (replaced after a rename). */
  me = $state.raw<User>({ id: "", username: "", display_name: null, avatar_url: null });
  servers = $state.raw<Server[]>([]);
  /** True once the server list came from the server (not the cache): an empty list is real. */
  isServersLoaded = $state(false);
  channelsByServer = $state.raw<Record<string, Channel[]>>({});
  dms = $state.raw<Channel[]>([]);
  /** Selected server; `null` is the home view (friends and DMs). */
  serverId = $state<string | null>(null);
  /** Selected channel; `null` shows the friends page in the home view. */
  channelId = $state<string | null>(null);
  messages = $state.raw<Record<string, Message[]>>({});
  /** Channels whose oldest message is known to be loaded. */
  isAtStart = $state.raw<Record<string, boolean>>({});
  /**
   * Channels whose loaded window stops short of the newest messages (the user scrolled far up
   * and the newest side was dropped); new messages wait on the server until they scroll down.
   */
  hasNewer = $state.raw<Record<string, boolean>>({});
  isLoading = $state(false);
  /** Unread messages per channel, as the core counts and keeps them (`unread-update`). */
  unread = $state.raw<Record<string, number>>({});
  /** The core's read state per channel (last-read message, manual marks). */
  readState = $state.raw<Record<string, ChannelUnread>>({});
  /** The "New messages" divider of the channel just opened (kept while it stays open). */
  divider = $state.raw<Divider | null>(null);
  typing = $state.raw<Record<string, Typist[]>>({});
  members = $state.raw<Member[]>([]);
  relationships = $state.raw<Relationship[]>([]);
  presence = $state.raw<Record<string, string>>({});
  notice = $state.raw<InlineNotice | null>(null);
  /** When the user last sent in each channel, for the slowmode countdown. */
  lastSentAt = $state.raw<Record<string, number>>({});
  /** Says why a server left the rail (kicked, banned, deleted), whatever view is open. */
  removal = $state.raw<{ serverName: string; reason: RemovalReason } | null>(null);
  /**
   * Roles of a server, highest first, once the roles panel loaded them; role events and our
   * own writes keep them current (the server's list is a cached copy for 5 minutes).
   */
  roles = $state.raw<Record<string, Role[]>>({});
  /** What the user may do in the selected server (`GET /servers/{id}/permissions`). */
  permissions = $state.raw<Record<string, boolean | undefined>>({});
  /** The message a search result or a link jumped to; its row is highlighted. */
  highlight = $state.raw<{ channelId: string; messageId: string } | null>(null);
  /** True while the window has focus; announcements and read state depend on it. */
  isWindowFocused = $state(true);
  readonly announcer = new Announcer();
  /**
   * Channels whose newest page came from the server in this session; the gateway keeps them
   * current. Others (cached, or holding only messages that arrived as events) load it when
   * opened. Only read by methods, never rendered.
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private fresh = new Set<string>();
  /**
   * Counts every choice of a server or channel, so loading that finishes later can tell
   * whether the user went somewhere meanwhile and leave their choice alone.
   */
  private navigation = 0;
  /** Messages that arrived for a channel whose window stops short of the newest (bounded). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- only read by methods, never rendered
  private heldBack = new Map<string, Message[]>();

  /** Channels shown in the sidebar for the selection. */
  channels: Channel[] = $derived(
    this.serverId === null
      ? this.dms
      : [...(this.channelsByServer[this.serverId] ?? [])].sort((a, b) => a.position - b.position),
  );
  /** The open channel. */
  channel: Channel | null = $derived(
    this.channelId === null ? null : (this.channels.find((c) => c.id === this.channelId) ?? this.dms.find((c) => c.id === this.channelId) ?? null),
  );
  /** The open channel's messages, ascending. */
  current: Message[] = $derived(this.channelId ? (this.messages[this.channelId] ?? []) : []);
  /** Unread counts per server (and "home" for DMs). */
  serverUnread: Record<string, number> = $derived.by(() => {
    const out: Record<string, number> = {};
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local temporary inside $derived
    const owner = new Map<string, string>();
    for (const [sid, list] of Object.entries(this.channelsByServer)) for (const c of list) owner.set(c.id, sid);
    for (const c of this.dms) owner.set(c.id, "home");
    for (const [cid, n] of Object.entries(this.unread)) {
      const sid = owner.get(cid);
      if (sid && n > 0) out[sid] = (out[sid] ?? 0) + n;
    }
    return out;
  });
  /** Who is typing in the open channel (not us). */
  typists: Typist[] = $derived(this.channelId ? (this.typing[this.channelId] ?? []) : []);

  constructor(me: User) {
    this.me = me;
  }

  /**
   * Paints what the last session showed (servers, channels, the first channel's messages) from
   * the core's cache, then loads servers and DMs and opens the first server's first text
   * channel. A list the server fails to give keeps its cached copy.
   */
  async start(): Promise<void> {
    const seen = this.navigation;
    await this.paintOverview();
    void invoke("get_unread").then((list) => this.applyUnread(list), () => undefined);
    const [servers, dms] = await Promise.all([
      invoke("list_servers").catch(() => this.servers),
      invoke("list_dm_channels").catch(() => this.dms),
    ]);
    this.servers = servers;
    this.isServersLoaded = true;
    this.dms = dms;
    void this.loadRelationships();
    // The user went somewhere while this loaded: that choice stands (it loads what it needs).
    const hasNavigated = this.navigation !== seen;
    // Every server's channels, so unread badges can be attributed to their server.
    for (const s of hasNavigated ? servers : servers.slice(1)) {
      void invoke("list_channels", { server_id: s.id }).then(
        (list) => (this.channelsByServer = { ...this.channelsByServer, [s.id]: list }),
        () => undefined,
      );
    }
    if (hasNavigated) {
      // A channel clicked in the cached sidebar opened without its server's members.
      if (this.serverId !== null) void this.loadMembers(this.serverId);
      return;
    }
    // The channel painted from the cache stays open when it still exists.
    const painted = this.serverId === servers[0]?.id ? this.channelId : null;
    if (servers.length > 0) await this.selectServer(servers[0].id, painted);
    else await this.selectServer(null);
  }

  /** Loads the members of the open server `id` without changing what is open. */
  private async loadMembers(id: string): Promise<void> {
    const members = await invoke("list_members", { server_id: id }).catch(() => null);
    if (!members || this.serverId !== id) return;
    this.members = members;
    this.presence = { ...this.presence, ...Object.fromEntries(members.map((m) => [m.user_id, m.presence_status ?? "offline"])) };
  }

  /**
   * Opens a server (or the home view with `null`) and its `prefer`red channel (a search result's,
   * the cached one at start), else its first text channel, unless the user opened another
   * channel while its channels loaded.
   */
  async selectServer(id: string | null, prefer: string | null = null): Promise<void> {
    const turn = ++this.navigation;
    this.serverId = id;
    this.notice = null;
    if (id === null) {
      this.members = [];
      this.permissions = {};
      if (prefer) await this.selectChannel(prefer);
      else this.channelId = null;
      return;
    }
    void this.loadPermissions(id);
    try {
      const [channels, members] = await Promise.all([
        invoke("list_channels", { server_id: id }),
        invoke("list_members", { server_id: id }).catch(() => [] as Member[]),
      ]);
      this.channelsByServer = { ...this.channelsByServer, [id]: channels };
      this.members = members;
      this.presence = { ...this.presence, ...Object.fromEntries(members.map((m) => [m.user_id, m.presence_status ?? "offline"])) };
      if (this.serverId !== id || this.navigation !== turn) return;
      const first = this.channels.find((c) => c.id === prefer) ?? this.channels.find((c) => c.channel_type === "text") ?? this.channels[0];
      if (first) await this.selectChannel(first.id);
      else this.channelId = null;
    } catch (e) {
      this.fail(e as IpcError, { serverId: id });
    }
  }

  /**
   * Opens a channel. The first time, it paints the core's cached copy at once (from the last
   * session too), then loads the newest page and lets it replace what it covers.
   */
  async selectChannel(id: string): Promise<void> {
    this.navigation++;
    if (this.channelId && this.channelId !== id) this.leaveChannel(this.channelId);
    this.channelId = id;
    this.notice = null;
    this.highlight = null;
    const before = this.readState[id];
    this.divider = null;
    this.unread = { ...this.unread, [id]: 0 };
    if (this.isWindowFocused) void invoke("set_viewing_channel", { channel_id: id }).catch(() => undefined);
    if (!this.fresh.has(id)) {
      if (!this.messages[id]) await this.paintCached(id);
      await this.loadPage(id, null);
    }
    if (this.channelId === id) this.divider = firstUnread(this.messages[id] ?? [], before, this.me.id);
    this.markRead(id);
  }

  /** Takes the core's unread list: badges, tray count and the next divider follow it. */
  applyUnread(list: ChannelUnread[]): void {
    this.readState = Object.fromEntries(list.map((e) => [e.channel_id, e]));
    const counts = countsOf(list);
    // The channel on screen is being read: an ack may still be on its way.
    if (this.channelId && this.isWindowFocused && !this.readState[this.channelId]?.is_manual) delete counts[this.channelId];
    this.unread = counts;
  }

  /** "Mark as unread" from a message: kept on this device, shown at once. */
  async markUnread(m: Message): Promise<void> {
    await this.act(() => invoke("mark_unread", { channel_id: m.channel_id, message_id: m.id }), { channelId: m.channel_id });
    const list = await invoke("get_unread").catch(() => null);
    if (list) this.applyUnread(list);
    this.divider = firstUnread(this.messages[m.channel_id] ?? [], this.readState[m.channel_id], this.me.id);
  }

  /** "Mark server as read": every channel of it. */
  async markServerRead(serverId: string): Promise<void> {
    await this.act(() => invoke("mark_server_read", { server_id: serverId }));
    const list = await invoke("get_unread").catch(() => null);
    if (list) this.applyUnread(list);
  }

  /** The window lost focus: nothing is being read until it comes back. */
  blurWindow(): void {
    this.isWindowFocused = false;
    void invoke("set_viewing_channel", { channel_id: null }).catch(() => undefined);
  }

  /** The server a channel belongs to: its id, `null` for a DM, `undefined` when unknown. */
  serverOf(channelId: string): string | null | undefined {
    if (this.dms.some((c) => c.id === channelId)) return null;
    for (const [sid, list] of Object.entries(this.channelsByServer)) if (list.some((c) => c.id === channelId)) return sid;
    return undefined;
  }

  /**
   * Opens a channel at one message (a search result): loads older pages until it is there
   * (from this device's cache when the server cannot be reached), then highlights it; the
   * list scrolls to it. Returns whether the message was found.
   */
  async jumpTo(channelId: string, messageId: string): Promise<boolean> {
    const owner = this.serverOf(channelId);
    if (owner !== undefined && owner !== this.serverId) await this.selectServer(owner, channelId);
    else if (this.channelId !== channelId) await this.selectChannel(channelId);
    const has = () => (this.messages[channelId] ?? []).some((m) => m.id === messageId);
    // A result older than what is loaded: page back, as scrolling up would (40 pages at most).
    for (let i = 0; i < 40 && !has() && !this.isAtStart[channelId]; i++) {
      const before = this.messages[channelId]?.length ?? 0;
      await this.loadOlder();
      if ((this.messages[channelId]?.length ?? 0) === before) break;
    }
    if (!has()) {
      // Offline, or the server stopped paging: this device may still hold it.
      const cached = await invoke("cached_messages", { channel_id: channelId, limit: 2000 }).catch(() => [] as Message[]);
      const at = cached.findIndex((m) => m.id === messageId);
      if (at >= 0) {
        const loaded = this.messages[channelId] ?? [];
        const oldestLoaded = loaded[0]?.id;
        // Only the cached run from the result up to what is loaded, so the list stays gapless.
        const run = cached.slice(at).filter((m) => !oldestLoaded || compareIds(m.id, oldestLoaded) < 0);
        this.messages = { ...this.messages, [channelId]: mergeMessages(loaded, run.map((m) => withChannel(m, channelId))) };
      }
    }
    if (!has()) {
      this.notice = { kind: "not_found", text: "That message is no longer here: it was deleted or is too far back to load." };
      return false;
    }
    this.highlight = { channelId, messageId };
    return true;
  }

  /** Shows the cached sidebar and the first channel before the network answers. */
  private async paintOverview(): Promise<void> {
    const cached = await invoke("cached_overview").catch(() => null);
    if (!cached || (cached.servers.length === 0 && cached.dms.length === 0)) return;
    this.servers = cached.servers;
    this.dms = cached.dms;
    const channels: Record<string, Channel[]> = {};
    for (const [sid, list] of Object.entries(cached.channels)) if (list) channels[sid] = list;
    this.channelsByServer = channels;
    const first = cached.servers[0];
    if (!first || this.serverId !== null) return;
    this.serverId = first.id;
    const channel = this.channels.find((c) => c.channel_type === "text") ?? this.channels[0];
    if (channel && this.channelId === null) {
      this.channelId = channel.id;
      await this.paintCached(channel.id);
    }
  }

  /** Shows the cached messages of a channel not loaded yet (no cache: nothing to show). */
  private async paintCached(id: string): Promise<void> {
    const cached = await invoke("cached_messages", { channel_id: id, limit: PAGE_SIZE }).catch(() => [] as Message[]);
    if (cached.length === 0 || this.messages[id]) return;
    this.messages = { ...this.messages, [id]: mergeMessages([], cached.map((m) => withChannel(m, id))) };
  }

  /**
   * Forgets all but the newest `KEEP_NEWEST` messages of a channel, for when they are out of
   * sight (the user is back at the newest message, or left the channel). Scrolling up loads
   * them again with the same `before` pages.
   */
  trimToNewest(id: string): void {
    const list = this.messages[id];
    if (!list || list.length <= KEEP_NEWEST) return;
    this.messages = { ...this.messages, [id]: list.slice(list.length - KEEP_NEWEST) };
    if (this.isAtStart[id]) this.isAtStart = { ...this.isAtStart, [id]: false };
  }

  /**
   * Leaving a channel: a window far back in its history is forgotten (opening it again starts
   * at the newest messages, like Discord); otherwise only its newest messages stay.
   */
  private leaveChannel(id: string): void {
    if (!this.hasNewer[id]) return this.trimToNewest(id);
    this.forgetWindow(id);
  }

  /** Forgets a channel's loaded messages so its next opening loads the newest page afresh. */
  private forgetWindow(id: string): void {
    const { [id]: _gone, ...rest } = this.messages;
    this.messages = rest;
    this.fresh.delete(id);
    this.heldBack.delete(id);
    this.hasNewer = { ...this.hasNewer, [id]: false };
    this.isAtStart = { ...this.isAtStart, [id]: false };
  }

  /** Loads the page before the oldest loaded message of the open channel. */
  async loadOlder(): Promise<void> {
    const id = this.channelId;
    if (!id || this.isLoading || this.isAtStart[id]) return;
    const oldest = this.messages[id]?.[0];
    await this.loadPage(id, oldest?.id ?? null);
    const list = this.messages[id];
    if (oldest && list && list.length > MAX_LOADED) {
      // Far back in a long history: the newest side goes (it is out of sight below).
      this.messages = { ...this.messages, [id]: list.slice(0, MAX_LOADED) };
      this.hasNewer = { ...this.hasNewer, [id]: true };
    }
  }

  /**
   * Scrolling back down a window that stops short of the newest messages: loads the page right
   * after the newest loaded one, dropping the oldest side past `MAX_LOADED`.
   */
  async loadNewer(): Promise<void> {
    const id = this.channelId;
    if (!id || this.isLoading || !this.hasNewer[id]) return;
    const newest = this.messages[id]?.at(-1);
    if (!newest) return this.jumpToPresent();
    this.isLoading = true;
    try {
      const page = (await invoke("load_messages", { channel_id: id, before: null, after: newest.id, limit: PAGE_SIZE })).map((m) => withChannel(m, id));
      const isNewest = page.length < PAGE_SIZE;
      let list = mergeMessages(this.messages[id] ?? [], page);
      if (isNewest) {
        // Caught up: what arrived meanwhile joins, and the page's copies win over it.
        list = mergeMessages(mergeMessages(list, this.heldBack.get(id) ?? []), page);
        this.heldBack.delete(id);
        this.hasNewer = { ...this.hasNewer, [id]: false };
      }
      if (list.length > MAX_LOADED) {
        list = list.slice(list.length - MAX_LOADED);
        this.isAtStart = { ...this.isAtStart, [id]: false };
      }
      this.messages = { ...this.messages, [id]: list };
    } catch (e) {
      this.fail(e as IpcError, { channelId: id });
    } finally {
      this.isLoading = false;
    }
  }

  /** "Jump to present" from far back: the loaded window is replaced by the newest page. */
  async jumpToPresent(): Promise<void> {
    const id = this.channelId;
    if (!id || !this.hasNewer[id]) return;
    this.forgetWindow(id);
    await this.loadPage(id, null);
    this.markRead(id);
  }

  private async loadPage(id: string, before: string | null): Promise<void> {
    this.isLoading = true;
    try {
      const page = await invoke("load_messages", { channel_id: id, before, after: null, limit: PAGE_SIZE });
      const fixed = page.map((m) => withChannel(m, id));
      const isStart = page.length < PAGE_SIZE;
      const known = this.messages[id] ?? [];
      // A window far back cannot join the newest page without a gap: the page replaces it.
      const isDetached = before === null && Boolean(this.hasNewer[id]);
      if (isDetached) {
        this.hasNewer = { ...this.hasNewer, [id]: false };
        this.isAtStart = { ...this.isAtStart, [id]: false };
        this.heldBack.delete(id);
      }
      // The newest page is the truth for the span it covers: cached messages in it that the
      // server no longer has were deleted while we were away.
      const kept = isDetached ? [] : before === null ? outsideSpan(known, fixed, isStart) : known;
      this.messages = { ...this.messages, [id]: mergeMessages(kept, fixed) };
      if (isStart) this.isAtStart = { ...this.isAtStart, [id]: true };
      if (before === null) this.fresh.add(id);
    } catch (e) {
      this.fail(e as IpcError, { channelId: id });
    } finally {
      this.isLoading = false;
    }
  }

  /**
   * Loads a channel's newest page again so the screen shows the server's truth, e.g. after a
   * queued edit or delete, already shown, was refused. Channels never opened are left alone.
   */
  async refresh(channelId: string): Promise<void> {
    if (this.messages[channelId]) await this.loadPage(channelId, null);
  }

  /** The window got focus back: what is on screen now counts as read. */
  focusWindow(): void {
    this.isWindowFocused = true;
    if (this.channelId) {
      void invoke("set_viewing_channel", { channel_id: this.channelId }).catch(() => undefined);
      this.unread = { ...this.unread, [this.channelId]: 0 };
      this.markRead(this.channelId);
    }
  }

  private markRead(id: string) {
    const last = this.messages[id]?.at(-1);
    if (last && this.isWindowFocused) void invoke("ack_message", { channel_id: id, message_id: last.id }).catch(() => undefined);
  }

  /** Puts a message into its channel (from a command result or an event). */
  addMessage(m: Message): void {
    const newest = this.hasNewer[m.channel_id] ? this.messages[m.channel_id]?.at(-1) : undefined;
    if (newest && compareIds(m.id, newest.id) > 0) {
      // Beyond a window that stops short of the newest: it would leave a gap. Kept aside (a
      // bounded few) for when the user scrolls down to it.
      const held = (this.heldBack.get(m.channel_id) ?? []).filter((h) => h.id !== m.id);
      held.push(m);
      this.heldBack.set(m.channel_id, held.slice(-PAGE_SIZE * 4));
      return;
    }
    this.messages = { ...this.messages, [m.channel_id]: mergeMessages(this.messages[m.channel_id] ?? [], [m]) };
  }

  /** Takes a message out of its channel (deleted, or its delete is queued). */
  removeMessage(channelId: string, messageId: string): void {
    const list = this.messages[channelId];
    if (list) this.messages = { ...this.messages, [channelId]: list.filter((m) => m.id !== messageId) };
  }

  /** Drops a channel that no longer exists from every list and moves the selection. */
  removeChannel(id: string): void {
    const next: Record<string, Channel[]> = {};
    for (const [sid, list] of Object.entries(this.channelsByServer)) next[sid] = list.filter((c) => c.id !== id);
    this.channelsByServer = next;
    this.dms = this.dms.filter((c) => c.id !== id);
    const { [id]: _gone, ...rest } = this.messages;
    this.messages = rest;
    if (this.channelId === id) this.channelId = this.channels.find((c) => c.channel_type === "text")?.id ?? null;
  }

  /** Turns a failed action into an inline notice; stale things leave the lists. */
  fail(err: IpcError, where: { channelId?: string; messageId?: string; serverId?: string } = {}): void {
    const st = err.state;
    if (st?.state === "not_found") {
      if (st.entity === "channel" && where.channelId) {
        this.removeChannel(where.channelId);
        this.notice = { kind: "not_found", text: "This channel no longer exists." };
      } else if (st.entity === "message" && where.channelId && where.messageId) {
        this.removeMessage(where.channelId, where.messageId);
        this.notice = { kind: "not_found", text: "This message no longer exists." };
      } else if (st.entity === "server" && where.serverId) {
        this.servers = this.servers.filter((s) => s.id !== where.serverId);
        this.notice = { kind: "not_found", text: "This server no longer exists." };
        void this.selectServer(this.servers[0]?.id ?? null);
      } else if (st.entity === "user") {
        this.notice = { kind: "not_found", text: "This user no longer exists." };
      } else {
        this.notice = { kind: "not_found", text: `This ${st.entity.replace("_", " ")} no longer exists.` };
      }
    } else if (st?.state === "forbidden") {
      this.notice = {
        kind: "forbidden",
        text: st.reason === "cannot_message_user" ? "You can't message this user." : "You don't have permission to do that.",
      };
    } else if (st?.state === "rate_limited") {
      // An hourly window is not "a few seconds": say when it ends.
      const isLong = st.retry_at - Date.now() > 60_000;
      const text = isLong
        ? `The server is limiting this for now. Try again at ${formatTime(st.retry_at)}.`
        : "Slow down a little; try again in a few seconds.";
      this.notice = { kind: "error", text };
    } else if (st && "message" in st) {
      this.notice = { kind: "error", text: st.message };
    } else {
      this.notice = { kind: "error", text: err.message };
    }
  }

  /** Runs a chat action, turning its failure into an inline notice. */
  async act<T>(action: () => Promise<T>, where: { channelId?: string; messageId?: string } = {}): Promise<T | undefined> {
    try {
      return await action();
    } catch (e) {
      this.fail(e as IpcError, where);
      return undefined;
    }
  }

  /** Loads what the user may do in a server; a failure leaves every control hidden. */
  async loadPermissions(serverId: string): Promise<void> {
    const perms = await invoke("get_permissions", { server_id: serverId }).catch(() => ({}));
    if (this.serverId === serverId) this.permissions = perms;
  }

  /** Whether the selected server's permission answer grants `permission` (administrators hold all). */
  can(permission: string): boolean {
    return this.permissions[permission] === true || this.permissions["administrator"] === true;
  }

  /** Puts a role (created, changed, or announced) into its server's loaded list. */
  putRole(serverId: string, role: Role): void {
    const list = this.roles[serverId];
    if (!list) return;
    const next = [...list.filter((r) => r.id !== role.id), role].sort((a, b) => b.position - a.position);
    this.roles = { ...this.roles, [serverId]: next };
  }

  /** Takes a deleted role out of its server's list and off every member. */
  dropRole(serverId: string, roleId: string): void {
    const list = this.roles[serverId];
    if (list) this.roles = { ...this.roles, [serverId]: list.filter((r) => r.id !== roleId) };
    if (serverId === this.serverId && this.members.some((m) => m.roles.includes(roleId))) {
      this.members = this.members.map((m) => (m.roles.includes(roleId) ? { ...m, roles: m.roles.filter((r) => r !== roleId) } : m));
    }
  }

  /**
   * Applies our own role assignment to the open server's members: the server sends no event
   * for it and its member list stays a cached copy for 30 s.
   */
  setMemberRole(serverId: string, userId: string, roleId: string, assigned: boolean): void {
    if (serverId !== this.serverId) return;
    this.members = this.members.map((m) =>
      m.user_id !== userId ? m : { ...m, roles: assigned ? [...m.roles.filter((r) => r !== roleId), roleId] : m.roles.filter((r) => r !== roleId) },
    );
  }

  /**
   * Adds a server the user just joined or created (the server's own list may be a cached copy
   * without it) and opens it.
   */
  async addServer(server: Server): Promise<void> {
    this.servers = [...this.servers.filter((s) => s.id !== server.id), server];
    await this.selectServer(server.id);
  }

  /**
   * Takes a server off the rail with a notice saying why, and opens another. Used for a ban
   * event and for servers a fresh list no longer has.
   */
  removeServer(id: string, reason: RemovalReason): void {
    const gone = this.servers.find((s) => s.id === id);
    if (!gone) return;
    this.servers = this.servers.filter((s) => s.id !== id);
    const { [id]: _channels, ...rest } = this.channelsByServer;
    this.channelsByServer = rest;
    this.removal = { serverName: gone.name, reason };
    if (this.serverId === id) void this.selectServer(this.servers[0]?.id ?? null);
  }

  /**
   * Our own leave or delete: the server goes without a "removed" notice (the list from the
   * server may still have it for a while: the core corrects that).
   */
  forgetServer(id: string): void {
    this.servers = this.servers.filter((s) => s.id !== id);
    if (this.serverId === id) void this.selectServer(this.servers[0]?.id ?? null);
  }

  /**
   * Reloads the server list (window focus, the "+" opened): servers it lacks were taken from
   * us without any event (the reference sends none for a kick), and their channel list tells
   * which way: 403 `Access denied` after a kick, 404 once banned or deleted.
   */
  async refreshServers(): Promise<void> {
    if (!this.isServersLoaded) return;
    const fresh = await invoke("list_servers").catch(() => null);
    if (!fresh) return;
    const missing = this.servers.filter((s) => !fresh.some((f) => f.id === s.id));
    // Kept, with their channels, until we know why they went.
    this.servers = [...fresh, ...missing];
    for (const s of missing) {
      const reason = await invoke("list_channels", { server_id: s.id }).then(
        () => null,
        (e: IpcError): RemovalReason | null =>
          e.state?.state === "forbidden" ? "kicked" : e.state?.state === "not_found" ? "removed" : null,
      );
      // Still readable (the list was a stale copy), or the check failed: keep it.
      if (reason) this.removeServer(s.id, reason);
    }
    if (this.serverId) void this.loadPermissions(this.serverId);
  }

  /** Reloads friends and requests. */
  async loadRelationships(): Promise<void> {
    this.relationships = await invoke("list_relationships").catch(() => this.relationships);
  }

  /** Opens (or creates) the DM with a user and shows it. */
  async openDm(userId: string): Promise<void> {
    const c = await this.act(() => invoke("open_dm", { user_id: userId }));
    if (!c) return;
    if (!this.dms.some((d) => d.id === c.id)) this.dms = [...this.dms, c];
    this.serverId = null;
    await this.selectChannel(c.id);
  }

  /** Applies one event from the core. */
  handleEvent(e: Event): void {
    switch (e.type) {
      case "message_create": {
        const { type: _t, ...m } = e;
        this.addMessage(m);
        this.clearTypist(m.channel_id, m.author_id);
        if (m.author_id === this.me.id) break;
        const isOpen = m.channel_id === this.channelId;
        if (isOpen && this.isWindowFocused) {
          this.markRead(m.channel_id);
          this.announcer.announce(`${m.author_username ?? "Someone"}: ${m.content}`, this.channel ? channelName(this.channel) : "this channel");
        } else {
          this.unread = { ...this.unread, [m.channel_id]: (this.unread[m.channel_id] ?? 0) + 1 };
        }
        break;
      }
      case "message_update": {
        const { type: _t, ...m } = e;
        if (this.messages[m.channel_id]) this.addMessage(m);
        break;
      }
      case "message_delete":
        this.removeMessage(e.channel_id, e.id);
        break;
      case "messages_refreshed": {
        // Catch-up after a gap: within its span the page is the truth (edits, deletes, pins).
        const known = this.messages[e.channel_id];
        if (!known) break;
        const page = e.messages.map((m) => withChannel(m, e.channel_id));
        if (this.hasNewer[e.channel_id]) {
          // A window far back must not gain the newest pages (a gap): only what it holds is
          // corrected, and what it holds inside the pages' span but they lack was deleted.
          if (page.length === 0) break;
          // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local temporary
          const fresh = new Map(page.map((m) => [m.id, m]));
          const oldest = page.reduce((lo, m) => (compareIds(m.id, lo) < 0 ? m.id : lo), page[0].id);
          const kept = known.filter((m) => fresh.has(m.id) || compareIds(m.id, oldest) < 0).map((m) => fresh.get(m.id) ?? m);
          this.messages = { ...this.messages, [e.channel_id]: kept };
          break;
        }
        this.messages = { ...this.messages, [e.channel_id]: mergeMessages(outsideSpan(known, page, e.reached_start), page) };
        break;
      }
      case "reaction_add":
      case "reaction_remove":
        this.applyReaction(e.channel_id, e.message_id, e.emoji, e.type === "reaction_add" ? 1 : -1, e.user_id === this.me.id);
        break;
      case "typing_start":
        if (e.user_id !== this.me.id) this.addTypist(e.channel_id, e.user_id, e.username ?? this.nameOf(e.user_id));
        break;
      case "presence_update":
        this.presence = { ...this.presence, [e.user_id]: e.status ?? "offline" };
        break;
      case "channel_create":
      case "channel_update": {
        const { type: _t, ...c } = e;
        if (c.server_id === null) this.dms = [...this.dms.filter((d) => d.id !== c.id), c];
        else {
          const list = this.channelsByServer[c.server_id] ?? [];
          this.channelsByServer = { ...this.channelsByServer, [c.server_id]: [...list.filter((x) => x.id !== c.id), c] };
        }
        break;
      }
      case "channel_delete":
        this.removeChannel(e.id);
        break;
      case "server_create":
      case "server_update": {
        const { type: _t, ...s } = e;
        this.servers = [...this.servers.filter((x) => x.id !== s.id), s];
        break;
      }
      case "server_delete":
        this.removeServer(e.id, "deleted");
        break;
      case "ready":
        // A fresh session (after a reconnect): refresh the lists, keep the user's place.
        void invoke("list_servers").then((s) => (this.servers = s), () => undefined);
        void invoke("list_dm_channels").then((d) => (this.dms = d), () => undefined);
        break;
      case "member_add":
      case "member_update":
      case "member_remove":
        if (e.server_id === this.serverId) void invoke("list_members", { server_id: e.server_id }).then((m) => (this.members = m), () => undefined);
        break;
      case "relationship_add":
      case "relationship_remove":
        void this.loadRelationships();
        break;
      case "ban_add":
        if (e.user_id === this.me.id) this.removeServer(e.server_id, "banned");
        else if (e.server_id === this.serverId) this.members = this.members.filter((m) => m.user_id !== e.user_id);
        break;
      case "role_create":
      case "role_update":
      case "role_delete":
        if (e.type === "role_delete") this.dropRole(e.server_id, e.role_id);
        else this.putRole(e.server_id, e.role);
        // A role we hold may have changed what we may do.
        if (e.server_id === this.serverId) void this.loadPermissions(e.server_id);
        break;
      default:
        break;
    }
  }

  private applyReaction(channelId: string, messageId: string, emoji: string, delta: 1 | -1, isMe: boolean) {
    const m = this.messages[channelId]?.find((x) => x.id === messageId);
    if (!m) return;
    const has = m.reactions.find((r) => r.emoji === emoji);
    let reactions = has
      ? m.reactions.map((r) => (r.emoji === emoji ? { ...r, count: r.count + delta, me: isMe ? delta > 0 : r.me } : r))
      : delta > 0
        ? [...m.reactions, { emoji, count: 1, me: isMe }]
        : m.reactions;
    reactions = reactions.filter((r) => r.count > 0);
    this.addMessage({ ...m, reactions });
  }

  /** A user's best display name from what we know. */
  nameOf(userId: string): string {
    if (userId === this.me.id) return this.me.display_name ?? this.me.username;
    const m = this.members.find((x) => x.user_id === userId);
    if (m) return m.nickname ?? m.username;
    const r = this.relationships.find((x) => x.user_id === userId);
    return r?.username ?? "Someone";
  }

  /** A user's display name when any loaded list knows them, else `null` (mention chips). */
  knownNameOf(userId: string): string | null {
    const name = this.nameOf(userId);
    return name === "Someone" && !this.members.some((x) => x.user_id === userId) ? null : name;
  }

  private addTypist(channelId: string, userId: string, name: string) {
    const until = Date.now() + TYPING_MS;
    const list = (this.typing[channelId] ?? []).filter((t) => t.user_id !== userId);
    this.typing = { ...this.typing, [channelId]: [...list, { user_id: userId, name, until }] };
    setTimeout(() => {
      const still = this.typing[channelId]?.find((t) => t.user_id === userId);
      if (still && still.until <= Date.now()) this.clearTypist(channelId, userId);
    }, TYPING_MS + 50);
  }

  private clearTypist(channelId: string, userId: string) {
    const list = this.typing[channelId];
    if (list?.some((t) => t.user_id === userId)) this.typing = { ...this.typing, [channelId]: list.filter((t) => t.user_id !== userId) };
  }
}

/** Context accessors for the window's ChatState. */
export const [getChat, setChat] = createContext<ChatState>();
