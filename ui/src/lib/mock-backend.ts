//! An in-memory stand-in for the Rust core: used by Vitest, and by `npm run dev` in a plain
//! browser so the UI can be worked on without the Tauri shell.
//!
//! It speaks the same command names and shapes as the real core (see `ipc.ts`) and lets tests
//! script faults: `failNext(command, error)` rejects the next call, `emit` pushes any event,
//! `calls` records every call. Sends go through an outbox that behaves like the core's
//! (`queue_message` returns the local id at once; `outbox-update` says queued → sending → sent,
//! with the gateway's `message_create` echo, per channel in order): `failNextSend(state)` makes
//! the next queued send fail for good, `rateLimitNextSend(ms)` / `waitNextSend(state, ms)` make
//! it wait once and then arrive by itself.

import type { OutboxEntry } from "./bindings/OutboxEntry";
import type { ChannelUnread } from "./bindings/ChannelUnread";
import type { OutboxItem } from "./bindings/OutboxItem";
import type { OutboxUpdate } from "./bindings/OutboxUpdate";
import type { Invite } from "./bindings/Invite";
import type { InvitePreview } from "./bindings/InvitePreview";
import type { Role } from "./bindings/Role";
import type { RoleEdit } from "./bindings/RoleEdit";
import type { AuditEntry } from "./bindings/AuditEntry";
import type { Backend } from "./ipc";
import { queryWords } from "./search/match";
import type { NewPoll } from "./bindings/NewPoll";
import { createMockRich, type MockRich } from "./rich/mock-rich";
import { createMockPolls, type MockPolls } from "./polls/mock-polls";
import { createMockSaved } from "./mentions/mock-saved";
import type {
  Attachment,
  Channel,
  IpcError,
  LongWait,
  Member,
  Message,
  Relationship,
  SearchQuery,
  SearchResults,
  Server,
  SessionInfo,
  UiState,
  User,
} from "./types";

/** Options for a mock backend. */
export type MockOptions = {
  /** Start signed out (false) or pre-fill demo data reachable via `start_demo` (true). */
  demo?: boolean;
  /** Messages in the demo's #general channel (10,000 to try the virtual list). */
  generalMessages?: number;
  /** Initial app-wide state. */
  initialState?: UiState;
  /** false: `upload_attachment` / `queue_file` never answer (the file stays "preparing"). */
  simulateUploads?: boolean;
  /**
   * Entries the core's outbox still holds from an earlier run. Queued ones wait (as if the
   * server were away) until a new send wakes their channel; failed ones until `retry_send`.
   */
  pendingOutbox?: OutboxEntry[];
  /** Pretend the app was launched with `--demo`. */
  demoAutostart?: boolean;
  /** Drafts saved by an earlier run, by channel id. */
  drafts?: Record<string, string>;
  /** Long rate-limit waits the shell kept from an earlier run (`list_waits`). */
  waits?: LongWait[];
  /** Read state the core kept from an earlier run (`get_unread`). */
  unread?: ChannelUnread[];
  /** A freshly registered account: member of no server yet. */
  noServers?: boolean;
  /** An invite link the app was opened with, waiting for sign-in. */
  pendingLink?: string;
};

/** Newest snowflake first (ids of different lengths compare numerically). */
function compareIdsDesc(a: string, b: string): number {
  return b.length - a.length || (a < b ? 1 : a > b ? -1 : 0);
}

/** A scriptable in-memory backend. */
export type MockBackend = Backend & {
  /** Every invoke, in order. */
  calls: { command: string; args: Record<string, unknown> | null }[];
  /** Rejects the next call of `command` with `error`. */
  failNext(command: string, error: IpcError): void;
  /** Answers the next call of `command` with `value`, with no side effects. */
  resolveNext(command: string, value: unknown): void;
  /**
   * Makes the next queued send wait `ms` once, as the core's outbox does for a route rate
   * limit (`waiting` with `rate_limited{retry_at}`), then deliver it.
   */
  rateLimitNextSend(ms: number): void;
  /** Makes the next queued send wait `ms` once for `state` (`offline`, `server_error`, …). */
  waitNextSend(state: UiState, ms: number): void;
  /** Makes the next queued send fail for good with `state` (the entry stays, failed). */
  failNextSend(state: UiState): void;
  /** The outbox's entries right now. */
  outbox(): OutboxEntry[];
  /** Pushes an event to listeners. */
  emit(event: string, payload: unknown): void;
  /** Sets and emits the app-wide state. */
  setUiState(s: UiState): void;
  /** The demo user. */
  me: User;
  /**
   * The next `sign_in` or `register` runs into an hourly window: the shell records a long
   * wait of `ms` (listed by `list_waits`) and the command fails with `rate_limited`.
   */
  limitNext(action: "sign_in" | "register", ms: number): void;
  /** Long waits the shell would have on file from an earlier run. */
  waits: LongWait[];
  /** Polls (rich messages): `voteAs` makes someone else vote. */
  polls: MockPolls;
  /** Scheduled messages and server emojis. */
  rich: MockRich;
};

// A 1×1 transparent PNG: the bytes of every file "uploaded" to the mock.
const PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

// A tiny 48×16 PNG standing in for a screenshot (raster: SVG data URLs are not previewed).
const BANNER_PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADAAAAAQCAIAAADfzGvmAAAAJ0lEQVR4nGOISP00qBDDgLtg1EGjDhp10KiDBtoFow4addCog+iMAHpODUw598CyAAAAAElFTkSuQmCC";

const ME: User = { id: "1000", username: "demo", display_name: "Demo User", avatar_url: null };
const USERS: User[] = [
  ME,
  { id: "1001", username: "alice", display_name: "Alice", avatar_url: null },
  { id: "1002", username: "bob", display_name: "Bob", avatar_url: null },
  { id: "1003", username: "carol", display_name: null, avatar_url: null },
];

function channel(id: string, server_id: string | null, name: string | null, position: number, recipient?: User): Channel {
  return {
    id,
    server_id,
    name,
    channel_type: server_id ? "text" : "dm",
    topic: name === "general" ? "Say hi 👋" : null,
    position,
    category_id: null,
    recipient_id: recipient?.id ?? null,
    recipient: recipient ? { id: recipient.id, username: recipient.username } : null,
    last_message_id: null,
    slowmode_seconds: 0,
  };
}

function message(id: number, channel_id: string, author: User, content: string, created_at: number, extra: Partial<Message> = {}): Message {
  return {
    id: String(id),
    channel_id,
    author_id: author.id,
    author_username: author.username,
    content,
    created_at,
    edited_at: null,
    reply_to_id: null,
    attachments: [],
    reactions: [],
    pinned: false,
    ...extra,
  };
}

function seedMessages(channelId: string, count: number, base: number): Message[] {
  const lines = [
    "Hey everyone!",
    "Has anyone tried the new build?",
    "Yes, reconnect works after sleep now.",
    "Nice 🎉",
    "I'll write the release notes\nand post them here tomorrow.",
  ];
  const out: Message[] = [];
  const start = Date.now() - count * 60_000 * 7;
  for (let i = 0; i < count; i++) {
    const author = USERS[(i * 7 + (i >> 2)) % USERS.length];
    out.push(message(base + i, channelId, author, lines[i % lines.length], start + i * 60_000 * 7));
  }
  const n = out.length;
  if (n >= 4) {
    out[n - 3] = { ...out[n - 3], edited_at: out[n - 3].created_at + 30_000, reactions: [{ emoji: "👍", count: 2, me: false }], pinned: true };
    out[n - 2] = { ...out[n - 2], reply_to_id: out[n - 4].id };
    out[n - 1] = {
      ...out[n - 1],
      content: "Screenshot of the reconnect banner:",
      attachments: [{ id: "9001", filename: "banner.png", content_type: "image/png", size: 48_213, url: BANNER_PNG }],
    };
  }
  return out;
}

/** Builds a fresh mock backend. */
export function createMockBackend(options: MockOptions = {}): MockBackend {
  // A copy per backend, so one test's profile edit cannot leak into the next.
  const me: User = { ...ME };
  const polls = createMockPolls(() => me.id);
  const rich = createMockRich((u) => emit("outbox-update", u));
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let uiState: UiState = options.initialState ?? { state: "signed_out" };
  const failures = new Map<string, IpcError[]>();
  const answers = new Map<string, unknown[]>();
  /** What happens to the next queued sends, in order. */
  type SendScript = { fail: UiState } | { wait: UiState | null; ms: number };
  const sendScripts: SendScript[] = [];
  let nextId = 5_000_000;

  const servers: Server[] = options.noServers
    ? []
    : [
        { id: "1", name: "Plexichat HQ", description: null, icon_url: null, owner_id: ME.id, member_count: 4 },
        { id: "2", name: "Rustaceans", description: null, icon_url: null, owner_id: "1001", member_count: 3 },
      ];
  let pendingLink = options.pendingLink;
  /** Servers an invite can join, and the invites (codes as the reference makes them). */
  const joinable: Record<string, Server> = {
    "3": { id: "3", name: "Rust Meetup", description: "Monthly meetups", icon_url: null, owner_id: "1001", member_count: 12 },
  };
  const invites: Invite[] = [
    { code: "RustMeetup01", server_id: "3", channel_id: "40", inviter_id: "1001", uses: 2, max_uses: 10, max_age: 86400, created_at: Date.now() - 3_600_000, expires_at: Date.now() + 82_800_000 },
    { code: "Expired00001", server_id: "3", channel_id: "40", inviter_id: "1001", uses: 0, max_uses: 0, max_age: 1, created_at: Date.now() - 10_000, expires_at: Date.now() - 9_000 },
    { code: "UsedUp000001", server_id: "3", channel_id: "40", inviter_id: "1001", uses: 1, max_uses: 1, max_age: 0, created_at: Date.now() - 10_000, expires_at: null },
    { code: "Banned000001", server_id: "4", channel_id: "50", inviter_id: "1002", uses: 0, max_uses: 0, max_age: 0, created_at: Date.now() - 10_000, expires_at: null },
    { code: "PlexiHQinv01", server_id: "1", channel_id: "10", inviter_id: ME.id, uses: 3, max_uses: 0, max_age: 0, created_at: Date.now() - 60_000, expires_at: null },
  ];
  const channels: Channel[] = [
    channel("10", "1", "general", 0),
    channel("11", "1", "random", 1),
    channel("12", "1", "announcements", 2),
    { ...channel("21", "2", "Support", 0), channel_type: "category" },
    { ...channel("20", "2", "help", 1), category_id: "21" },
    channel("30", null, null, 0, USERS[1]),
    channel("31", null, null, 1, USERS[2]),
  ];
  const messages = new Map<string, Message[]>();
  /** The core's read state per channel (`options.unread` seeds it, as an earlier run would). */
  const readState = new Map<string, ChannelUnread>((options.unread ?? []).map((e) => [e.channel_id, e]));
  messages.set("10", seedMessages("10", options.generalMessages ?? 40, 100_000));
  messages.set("11", seedMessages("11", 6, 200_000));
  messages.set("20", seedMessages("20", 5, 300_000));
  messages.set("30", seedMessages("30", 4, 400_000));
  // Someone mentions the user in #random (a mention badge there at start).
  messages.set("11", [...(messages.get("11") ?? []), message(200_100, "11", USERS[1], `hey <@${ME.id}> can you look at this?`, Date.now() - 60_000)]);
  const saved = createMockSaved(() => me.id, messages, (cid) => channels.find((c) => c.id === cid)?.server_id ?? null);
  const members: Member[] = USERS.map((u, i) => ({
    user_id: u.id,
    username: u.username,
    nickname: null,
    avatar_url: null,
    presence_status: ["online", "idle", "dnd", "offline"][i],
    roles: i === 1 ? ["900", "901"] : ["900"],
  }));
  /** Roles by server (highest first), as the reference answers them to a `roles.manage` holder. */
  const roles: Record<string, Role[]> = {
    "1": (
      [
      { id: "901", name: "moderator", color: "#3366ff", position: 1, permissions: { "messages.manage": true, "members.kick": true }, hoist: true, mentionable: true, is_default: false },
      { id: "902", name: "bad-perms", color: null, position: 2, permissions: { "not.a.permission": true }, hoist: false, mentionable: false, is_default: false },
      { id: "900", name: "@everyone", color: null, position: 0, permissions: { "channels.view": true, "messages.send": true, "messages.read": true }, hoist: false, mentionable: false, is_default: true },
      ] as Role[]
    ).sort((a, b) => b.position - a.position),
  };
  const audit: Record<string, AuditEntry[]> = {
    "1": [
      { id: "7003", user_id: "1000", user: { id: "1000", username: "demo" }, action: "member_role_add", target_type: "member", target_id: "1001", target_name: "alice", changes: { role_id: 901 }, reason: null, created_at: Date.now() - 60_000 },
      { id: "7002", user_id: "1000", user: { id: "1000", username: "demo" }, action: "role_update", target_type: "role", target_id: "901", target_name: "moderator", changes: { name: { old: "mods", new: "moderator" }, color: { old: null, new: "#3366ff" } }, reason: null, created_at: Date.now() - 120_000 },
      { id: "7001", user_id: "1000", user: { id: "1000", username: "demo" }, action: "member_ban", target_type: "member", target_id: "1003", target_name: "carol", changes: null, reason: "spam", created_at: Date.now() - 180_000 },
    ],
  };
  /** The reference's refusal of role and audit reads and writes without the permission. */
  function missing(permission: string): IpcError {
    const message = `Missing required permission: ${permission}`;
    return { code: "failed", message, state: { state: "forbidden", reason: "permission_denied", message } };
  }
  function isOwner(serverId: string): boolean {
    return servers.find((x) => x.id === serverId)?.owner_id === me.id;
  }
  function roleOf(serverId: string, roleId: string): Role {
    const r = roles[serverId]?.find((x) => x.id === roleId);
    if (!r) throw { code: "failed", message: "Role not found", state: { state: "not_found", entity: "resource", message: "Role not found" } } satisfies IpcError;
    return r;
  }
  let relationships: Relationship[] = [
    { user_id: "1001", username: "alice", status: "friend", created_at: Date.now() - 86_400_000 },
    { user_id: "1003", username: "carol", status: "pending_incoming", created_at: Date.now() - 3_600_000 },
    { user_id: "1004", username: "dave", status: "pending_outgoing", created_at: Date.now() - 7_200_000 },
  ];
  let outbox: OutboxEntry[] = [...(options.pendingOutbox ?? [])];
  let nextLocalId = Math.max(0, ...outbox.map((e) => e.local_id)) + 1;
  // The script bound to an entry when it was queued.
  const scripted = new Map<number, SendScript>();
  // Channels whose head is being worked on (one send in flight per channel, as in the core).
  const busy = new Set<string>();
  // Channels whose messages were loaded once: the local cache knows them.
  const opened = new Set<string>();
  const drafts = new Map(Object.entries(options.drafts ?? {}));
  let twoFactor = { enabled: false, backup_codes_remaining: 0 };
  const emptyProfile = (user_id: string) => ({ user_id, bio: null as string | null, pronouns: null as string | null, location: null as string | null, timezone: null as string | null, social_links: [] as { platform: string; url: string }[], custom_status_text: null as string | null });
  const profiles: Record<string, ReturnType<typeof emptyProfile>> = {
    "1001": { ...emptyProfile("1001"), bio: "Gardening, <b>tea</b> and Rust.", pronouns: "she/her", location: "Lisbon", timezone: "Europe/Lisbon", social_links: [{ platform: "other", url: "https://example.com/alice" }] },
  };
  let messaging = { allow_dms_from: "everyone" as "everyone" | "friends" | "nobody" | "other", read_receipts_enabled: true, typing_indicators_enabled: true };
  const userSettings: Record<string, string> = {};
  const avatars = new Map<string, string>();
  const exports: { id: string; status: string; requested_at: number; completed_at: number | null; expires_at: number | null; format: string; file_size_bytes: number | null }[] = [];
  function accountError(state: UiState): IpcError {
    return { code: "failed", message: "message" in state ? String(state.message) : state.state, state };
  }
  let sessions: SessionInfo[] = [
    { id: "s1", device_id: null, ip_address: "127.0.0.1", user_agent: "Plexichat Desktop (Linux)", created_at: Date.now() - 3_600_000, expires_at: null, last_activity: Date.now(), current: true },
    { id: "s2", device_id: null, ip_address: "203.0.113.7", user_agent: "Firefox on Windows", created_at: Date.now() - 86_400_000 * 3, expires_at: null, last_activity: Date.now() - 86_400_000, current: false },
  ];

  function emit(event: string, payload: unknown) {
    for (const h of [...(listeners.get(event) ?? [])]) h(payload);
  }
  function setUiState(s: UiState) {
    uiState = s;
    emit("ui-state", s);
  }
  function notFound(entity: "channel" | "message" | "user", what: string): IpcError {
    return { code: "failed", message: `${what} not found`, state: { state: "not_found", entity, message: `${what} not found` } };
  }
  const limits = new Map<"sign_in" | "register", number>();
  const waits: LongWait[] = [...(options.waits ?? [])];
  /** Throws `rate_limited` (and records the wait like the shell) when one was scripted. */
  function longWaitOf(action: "sign_in" | "register", server_url: string): void {
    const ms = limits.get(action);
    if (ms === undefined) return;
    limits.delete(action);
    const wait: LongWait = { action, server_url: server_url.trim(), retry_at: Date.now() + ms, scope: "route", global: false };
    waits.splice(0, waits.length, ...waits.filter((w) => w.action !== action), wait);
    const state: UiState = { state: "rate_limited", retry_at: wait.retry_at, scope: "route", global: false };
    throw { code: "failed", message: `rate limited for another ${Math.round(ms / 1000)} s`, state } satisfies IpcError;
  }

  function signInOk(): { outcome: "signed_in"; user: User } {
    setUiState({ state: "connecting" });
    setTimeout(() => setUiState({ state: "ready", user: me }), 300);
    return { outcome: "signed_in", user: me };
  }
  function find(channelId: string, messageId: string): Message {
    const m = messages.get(channelId)?.find((x) => x.id === messageId);
    if (!m) throw notFound("message", "Message");
    return m;
  }
  function replace(m: Message) {
    const list = messages.get(m.channel_id) ?? [];
    messages.set(m.channel_id, list.map((x) => (x.id === m.id ? m : x)));
    emit("chat-event", { type: "message_update", ...m });
  }
  function deliver(channelId: string, content: string, reply_to_id: string | null, attachments: Attachment[] = []): Message {
    const m = message(nextId++, channelId, ME, content, Date.now(), { reply_to_id, attachments });
    messages.set(channelId, [...(messages.get(channelId) ?? []), m]);
    emit("chat-event", { type: "message_create", ...m });
    return m;
  }
  function emitOutbox(u: OutboxUpdate) {
    emit("outbox-update", u);
  }
  function setEntryState(id: number, state: OutboxEntry["state"]) {
    outbox = outbox.map((e) => (e.local_id === id ? { ...e, state } : e));
  }
  /** Starts the channel's oldest queued send unless one is in flight (the core's worker). */
  function wake(channelId: string) {
    if (busy.has(channelId)) return;
    const head = outbox.find((e) => e.channel_id === channelId && e.state.state === "queued");
    if (!head) return;
    busy.add(channelId);
    setTimeout(() => attempt(head.local_id, channelId), 0);
  }
  function settle(channelId: string) {
    busy.delete(channelId);
    wake(channelId);
  }
  function attempt(id: number, channelId: string) {
    const entry = outbox.find((e) => e.local_id === id);
    // Cancelled meanwhile.
    if (!entry || entry.state.state !== "queued") return settle(channelId);
    setEntryState(id, { state: "sending" });
    emitOutbox({ update: "sending", local_id: id });
    const script = scripted.get(id);
    scripted.delete(id);
    if (script && "fail" in script) {
      setEntryState(id, { state: "failed", reason: script.fail });
      emitOutbox({ update: "failed", local_id: id, state: script.fail });
      return settle(channelId);
    }
    if (script) {
      const retry_at = Date.now() + script.ms;
      setEntryState(id, { state: "queued" });
      emitOutbox({ update: "waiting", local_id: id, state: script.wait ?? { state: "rate_limited", retry_at, scope: "route", global: false }, retry_at });
      // The channel stays busy: nothing behind the head overtakes it.
      setTimeout(() => attempt(id, channelId), script.ms);
      return;
    }
    outbox = outbox.filter((e) => e.local_id !== id);
    const item = entry.item;
    let m: Message | null = null;
    if (item.kind === "text" || item.kind === "reply") m = deliver(channelId, item.content, item.kind === "reply" ? item.reply_to_id : null);
    if (item.kind === "attachment") {
      const size = Math.floor((item.data_base64.length * 3) / 4);
      const file = { id: String(nextId++), filename: item.filename, content_type: item.mime, size, url: `data:${item.mime};base64,${item.data_base64}` };
      m = deliver(channelId, item.content, null, [file]);
    }
    emitOutbox({ update: "sent", local_id: id, message: m });
    settle(channelId);
  }
  /** Writes an entry and wakes its channel; `queued` goes out before this returns, as in the core. */
  function enqueue(channelId: string, item: OutboxItem): number {
    const local_id = nextLocalId++;
    const entry: OutboxEntry = { local_id, channel_id: channelId, item, state: { state: "queued" }, created_at: Date.now() };
    outbox = [...outbox, entry];
    const script = sendScripts.shift();
    if (script) scripted.set(local_id, script);
    emitOutbox({ update: "queued", entry });
    wake(channelId);
    return local_id;
  }
  /** The code inside a pasted invite (bare, `plexichat://invite/CODE` or an https link). */
  function inviteCode(input: string): string {
    const code = input.trim().replace(/^.*\/invite\//, "").replace(/[?#].*$/, "");
    if (!/^[A-Za-z0-9]{4,32}$/.test(code)) {
      throw { code: "failed", message: "no invite code", state: { state: "invalid_input", field: "invite", message: "That is not an invite code or link." } } satisfies IpcError;
    }
    return code;
  }
  function preview(inv: Invite): InvitePreview {
    const isMember = servers.some((x) => x.id === inv.server_id);
    return {
      code: inv.code,
      server_id: inv.server_id,
      server_name: isMember ? (servers.find((x) => x.id === inv.server_id)?.name ?? null) : null,
      channel_id: inv.channel_id,
      inviter_id: inv.inviter_id,
      uses: inv.uses,
      max_uses: inv.max_uses,
      expires_at: inv.expires_at,
    };
  }
  function staleEntry(what: string): IpcError {
    return { code: "invalid_argument", message: what, state: null };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const handlers: Record<string, (a: any) => unknown> = {
    create_server: (a: { name: string; description: string | null }) => {
      const s: Server = { id: String(nextId++), name: a.name, description: a.description, icon_url: null, owner_id: me.id, member_count: 1 };
      servers.push(s);
      channels.push(channel(String(nextId++), s.id, "general", 0));
      return s;
    },
    check_invite: (a: { invite: string }) => {
      const inv = invites.find((i) => i.code === inviteCode(a.invite));
      if (!inv) return { status: "refused", reason: "unknown", preview: null };
      const p = preview(inv);
      if (inv.expires_at !== null && inv.expires_at <= Date.now()) return { status: "refused", reason: "expired", preview: p };
      if (inv.max_uses > 0 && inv.uses >= inv.max_uses) return { status: "refused", reason: "used_up", preview: p };
      if (p.server_name !== null) return { status: "refused", reason: "already_member", preview: p };
      return { status: "open", preview: p, inviter_name: USERS.find((u) => u.id === inv.inviter_id)?.username ?? null };
    },
    join_invite: (a: { invite: string }) => {
      const inv = invites.find((i) => i.code === inviteCode(a.invite));
      if (!inv || (inv.expires_at !== null && inv.expires_at <= Date.now())) return { outcome: "refused", reason: inv ? "expired" : "unknown", message: "Invite not found or expired" };
      if (inv.server_id === "4") return { outcome: "refused", reason: "banned", message: "You are banned from this server" };
      if (servers.some((x) => x.id === inv.server_id)) return { outcome: "refused", reason: "already_member", message: "Already a member of this server" };
      if (inv.max_uses > 0 && inv.uses >= inv.max_uses) return { outcome: "refused", reason: "used_up", message: "Invite has reached maximum uses" };
      inv.uses += 1;
      const server = joinable[inv.server_id];
      servers.push(server);
      channels.push(channel("40", server.id, "general", 0));
      return { outcome: "joined", server };
    },
    create_invite: (a: { channel_id: string; settings: { max_age: number; max_uses: number } }) => {
      const c = channels.find((x) => x.id === a.channel_id);
      const now = Date.now();
      const invite: Invite = {
        code: `Mock${String(nextId++).padStart(8, "0")}`,
        server_id: c?.server_id ?? "1",
        channel_id: a.channel_id,
        inviter_id: me.id,
        uses: 0,
        max_uses: a.settings.max_uses,
        max_age: a.settings.max_age,
        created_at: now,
        expires_at: a.settings.max_age > 0 ? now + a.settings.max_age * 1000 : null,
      };
      invites.unshift(invite);
      return { invite, link: `plexichat://invite/${invite.code}` };
    },
    list_invites: (a: { server_id: string }) => invites.filter((i) => i.server_id === a.server_id),
    revoke_invite: (a: { invite: string }) => {
      const at = invites.findIndex((i) => i.code === a.invite);
      if (at >= 0) invites.splice(at, 1);
      return null;
    },
    invite_link: (a: { invite: string }) => `plexichat://invite/${a.invite}`,
    take_pending_invite: () => {
      const link = pendingLink;
      pendingLink = undefined;
      if (!link) return null;
      const server = /[?&]server=([^&]+)/.exec(link)?.[1];
      const serverUrl = server ? decodeURIComponent(server) : null;
      return { link, code: link.replace(/^.*\/invite\//, "").replace(/[?#].*$/, ""), server_url: serverUrl, is_other_server: serverUrl !== null };
    },
    list_roles: (a: { server_id: string }) => {
      if (!isOwner(a.server_id)) throw missing("roles.manage");
      return [...(roles[a.server_id] ??= [])];
    },
    create_role: (a: { server_id: string; edit: RoleEdit }) => {
      if (!isOwner(a.server_id)) throw missing("roles.manage");
      const list = (roles[a.server_id] ??= []);
      const role: Role = {
        id: String(nextId++),
        name: a.edit.name ?? "",
        color: a.edit.color ?? null,
        position: Math.max(0, ...list.map((r) => r.position)) + 1,
        permissions: a.edit.permissions ?? {},
        hoist: a.edit.hoist ?? false,
        mentionable: a.edit.mentionable ?? false,
        is_default: false,
      };
      list.unshift(role);
      return { ...role };
    },
    update_role: (a: { server_id: string; role_id: string; edit: RoleEdit }) => {
      if (!isOwner(a.server_id)) throw missing("roles.manage");
      const r = roleOf(a.server_id, a.role_id);
      if (a.edit.name != null) r.name = a.edit.name;
      if (a.edit.color != null) r.color = a.edit.color;
      if (a.edit.permissions != null) r.permissions = { ...a.edit.permissions };
      return { ...r, permissions: { ...r.permissions } };
    },
    delete_role: (a: { server_id: string; role_id: string }) => {
      if (!isOwner(a.server_id)) throw missing("roles.manage");
      roles[a.server_id] = (roles[a.server_id] ?? []).filter((r) => r.id !== a.role_id || r.is_default);
      return null;
    },
    set_member_role: (a: { server_id: string; user_id: string; role_id: string; assigned: boolean }) => {
      if (!isOwner(a.server_id)) throw missing("members.manage_roles");
      roleOf(a.server_id, a.role_id);
      const m = members.find((x) => x.user_id === a.user_id);
      if (!m) throw { code: "failed", message: "Member not found", state: { state: "not_found", entity: "resource", message: "Member not found" } } satisfies IpcError;
      m.roles = a.assigned ? [...m.roles.filter((r) => r !== a.role_id), a.role_id] : m.roles.filter((r) => r !== a.role_id);
      return null;
    },
    list_audit_log: (a: { server_id: string; limit: number }) => {
      if (!isOwner(a.server_id)) throw missing("server.view_audit_log");
      return (audit[a.server_id] ?? []).slice(0, a.limit);
    },
    get_permissions: (a: { server_id: string }) => {
      const s = servers.find((x) => x.id === a.server_id);
      if (!s) return {};
      if (s.owner_id === me.id) return { administrator: true, "invites.create": true, "invites.manage": true, "server.manage": true, "roles.manage": true, "members.manage_roles": true, "server.view_audit_log": true };
      return { "invites.create": true, "messages.send": true };
    },
    get_app_info: () => ({
      version: "0.1.0",
      client_version: "a.1.0-49",
      default_server_url: "https://api.plexichat.com",
      demo_available: true,
      demo_autostart: options.demoAutostart ?? false,
      log_dir: "/tmp/plexichat-mock",
    }),
    get_ui_state: () => uiState,
    start_demo: () => signInOk(),
    sign_in: (a: { server_url: string; login: string; password: string }) => {
      longWaitOf("sign_in", a.server_url);
      if (a.login === "2fa") {
        const challenge = { expires_at: Date.now() + 300_000, methods: ["totp", "backup_code"] };
        setUiState({ state: "two_factor_required", ...challenge });
        return { outcome: "two_factor_required", ...challenge };
      }
      if (a.login === "locked") return setUiState({ state: "account_locked", until: Date.now() + 900_000, suspended: false });
      if (a.password === "wrong") return setUiState({ state: "invalid_credentials", failed_attempts: 1, attempts_left: 4 });
      signInOk();
    },
    submit_two_factor: (a: { code: string }) => {
      if (a.code === "000000") return setUiState({ state: "two_factor_invalid", message: "Invalid code" });
      return signInOk().user;
    },
    cancel_two_factor: () => setUiState({ state: "signed_out" }),
    register: (a: { server_url: string }) => {
      longWaitOf("register", a.server_url);
      return signInOk().user;
    },
    list_waits: (a: { server_url: string }) => waits.filter((w) => w.server_url === a.server_url.trim() && w.retry_at > Date.now()),
    get_password_requirements: () => ({ min_length: 8, max_length: 128, require_uppercase: true, require_lowercase: true, require_digit: true, require_special: false }),
    sign_out: () => setUiState({ state: "signed_out" }),
    reconnect_now: () => setUiState({ state: "ready", user: me }),
    list_servers: () => servers,
    list_channels: (a: { server_id: string }) => channels.filter((c) => c.server_id === a.server_id),
    list_dm_channels: () => channels.filter((c) => c.server_id === null),
    load_messages: (a: { channel_id: string; before: string | null; after?: string | null; limit: number }) => {
      if (!channels.some((c) => c.id === a.channel_id)) throw notFound("channel", "Channel");
      opened.add(a.channel_id);
      const all = messages.get(a.channel_id) ?? [];
      if (a.after) {
        // Like the server: the messages right after the cursor, oldest first.
        const from = all.findIndex((m) => m.id === a.after);
        return from < 0 ? [] : all.slice(from + 1, from + 1 + a.limit);
      }
      const end = a.before ? all.findIndex((m) => m.id === a.before) : all.length;
      return all.slice(Math.max(0, (end < 0 ? all.length : end) - a.limit), end < 0 ? all.length : end).reverse();
    },
    queue_message: (a: { channel_id: string; content: string; reply_to_id: string | null }) => {
      if (a.content.trim() === "") {
        throw { code: "failed", message: "empty message", state: { state: "invalid_input", field: "content", message: "Message must have content" } } satisfies IpcError;
      }
      return enqueue(a.channel_id, a.reply_to_id ? { kind: "reply", content: a.content, reply_to_id: a.reply_to_id } : { kind: "text", content: a.content });
    },
    retry_send: (a: { local_id: number }) => {
      const entry = outbox.find((e) => e.local_id === a.local_id);
      if (!entry) throw staleEntry(`no pending send ${a.local_id}`);
      if (entry.state.state !== "failed") throw staleEntry(`send ${a.local_id} has not failed`);
      setEntryState(a.local_id, { state: "queued" });
      emitOutbox({ update: "retrying", local_id: a.local_id });
      wake(entry.channel_id);
      return null;
    },
    edit_message: (a: { channel_id: string; message_id: string; content: string }) => {
      const m = { ...find(a.channel_id, a.message_id), content: a.content, edited_at: Date.now() };
      replace(m);
      return m;
    },
    delete_message: (a: { channel_id: string; message_id: string }) => {
      find(a.channel_id, a.message_id);
      messages.set(a.channel_id, (messages.get(a.channel_id) ?? []).filter((m) => m.id !== a.message_id));
      emit("chat-event", { type: "message_delete", id: a.message_id, channel_id: a.channel_id, server_id: null });
    },
    add_reaction: (a: { channel_id: string; message_id: string; emoji: string }) => {
      const m = find(a.channel_id, a.message_id);
      const has = m.reactions.find((r) => r.emoji === a.emoji);
      const reactions = has
        ? m.reactions.map((r) => (r.emoji === a.emoji && !r.me ? { ...r, count: r.count + 1, me: true } : r))
        : [...m.reactions, { emoji: a.emoji, count: 1, me: true }];
      replace({ ...m, reactions });
    },
    remove_reaction: (a: { channel_id: string; message_id: string; emoji: string }) => {
      const m = find(a.channel_id, a.message_id);
      const reactions = m.reactions
        .map((r) => (r.emoji === a.emoji && r.me ? { ...r, count: r.count - 1, me: false } : r))
        .filter((r) => r.count > 0);
      replace({ ...m, reactions });
    },
    list_pins: (a: { channel_id: string }) => (messages.get(a.channel_id) ?? []).filter((m) => m.pinned).reverse(),
    pin_message: (a: { channel_id: string; message_id: string }) => replace({ ...find(a.channel_id, a.message_id), pinned: true }),
    unpin_message: (a: { channel_id: string; message_id: string }) => replace({ ...find(a.channel_id, a.message_id), pinned: false }),
    send_typing: () => undefined,
    ack_message: (a: { channel_id: string; message_id: string }) => {
      readState.set(a.channel_id, { channel_id: a.channel_id, unread: 0, last_read_id: a.message_id, is_manual: false, changed_at: Date.now() });
    },
    get_unread: () => [...readState.values()],
    set_viewing_channel: () => null,
    mark_unread: (a: { channel_id: string; message_id: string }) => {
      const list = messages.get(a.channel_id) ?? [];
      const at = list.findIndex((m) => m.id === a.message_id);
      const after = at < 0 ? [] : list.slice(at).filter((m) => m.author_id !== ME.id);
      readState.set(a.channel_id, {
        channel_id: a.channel_id,
        unread: Math.max(1, after.length),
        last_read_id: at > 0 ? list[at - 1].id : null,
        is_manual: true,
        changed_at: Date.now(),
      });
      emit("unread-update", [...readState.values()]);
    },
    mark_server_read: (a: { server_id: string }) => {
      for (const c of channels.filter((x) => x.server_id === a.server_id)) {
        const last = messages.get(c.id)?.at(-1);
        readState.set(c.id, { channel_id: c.id, unread: 0, last_read_id: last?.id ?? null, is_manual: false, changed_at: Date.now() });
      }
      emit("unread-update", [...readState.values()]);
    },
    list_members: () => members.map((m) => ({ ...m })),
    list_relationships: () => relationships,
    send_friend_request: (a: { username: string }) => {
      const u = USERS.find((x) => x.username === a.username);
      if (!u) throw notFound("user", "User");
      const r: Relationship = { user_id: u.id, username: u.username, status: "pending_outgoing", created_at: Date.now() };
      relationships = [...relationships, r];
      return r;
    },
    accept_friend_request: (a: { user_id: string }) => {
      relationships = relationships.map((r) => (r.user_id === a.user_id ? { ...r, status: "friend" } : r));
    },
    remove_relationship: (a: { user_id: string }) => {
      relationships = relationships.filter((r) => r.user_id !== a.user_id);
    },
    block_user: (a: { user_id: string }) => {
      const known = relationships.find((r) => r.user_id === a.user_id);
      const username = known?.username ?? USERS.find((u) => u.id === a.user_id)?.username ?? a.user_id;
      const r: Relationship = { user_id: a.user_id, username, status: "blocked", created_at: Date.now() };
      relationships = [...relationships.filter((x) => x.user_id !== a.user_id), r];
      return r;
    },
    open_dm: (a: { user_id: string }) => {
      const existing = channels.find((c) => c.recipient_id === a.user_id);
      if (existing) return existing;
      const u = USERS.find((x) => x.id === a.user_id);
      if (!u) throw notFound("user", "User");
      const c = channel(String(nextId++), null, null, channels.length, u);
      channels.push(c);
      return c;
    },
    search_user: (a: { username: string }) => {
      const u = USERS.find((x) => x.username === a.username.trim());
      if (!u) throw notFound("user", "User");
      return u;
    },
    set_presence: (a: { status: string; custom_status: string | null }) => ({ user_id: me.id, status: a.status, custom_status: a.custom_status, custom_emoji: null }),
    update_profile: (a: { username: string }) => {
      if (USERS.some((u) => u.username === a.username && u.id !== me.id)) {
        throw { code: "failed", message: "Username already taken", state: { state: "conflict", field: "username", message: "Username already taken" } };
      }
      me.username = a.username;
      return { ...me };
    },
    // A 1x1 transparent PNG stands in for any attachment's bytes.
    fetch_attachment: (a: { url: string; content_type: string | null }) =>
      `data:${a.content_type?.startsWith("image/") ? a.content_type : "application/octet-stream"};base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=`,
    list_sessions: () => sessions,
    list_outbox: () => outbox,
    set_unread_count: () => null,
    startup_marks: () => null,
    cancel_send: (a: { local_id: number }) => {
      const entry = outbox.find((e) => e.local_id === a.local_id);
      if (!entry) throw staleEntry(`no pending send ${a.local_id}`);
      // As in the core: a file still going up can be cancelled; a message being posted not.
      if (entry.state.state === "sending" && entry.item.kind !== "attachment") throw staleEntry(`send ${a.local_id} is in flight`);
      outbox = outbox.filter((e) => e.local_id !== a.local_id);
      scripted.delete(a.local_id);
      emitOutbox({ update: "cancelled", local_id: a.local_id });
      return null;
    },
    // The local cache: the newest messages of a channel loaded before, oldest first.
    cached_messages: (a: { channel_id: string; limit?: number | null }) =>
      opened.has(a.channel_id) && (a.limit ?? 50) > 0 ? (messages.get(a.channel_id) ?? []).slice(-Math.min(a.limit ?? 50, 50)) : [],
    list_drafts: () => Object.fromEntries(drafts),
    save_draft: (a: { channel_id: string; content: string }) => {
      if (a.content === "") drafts.delete(a.channel_id);
      else drafts.set(a.channel_id, a.content);
      return null;
    },
    revoke_session: (a: { session_id: string }) => {
      sessions = sessions.filter((s) => s.id !== a.session_id);
    },
    // As in the core: the file is copied into the outbox and sent from there like a message.
    upload_attachment: (a: { channel_id: string; path: string }) => {
      if (options.simulateUploads === false) return new Promise(() => undefined);
      const filename = a.path.split(/[\\/]/).pop() ?? a.path;
      return enqueue(a.channel_id, { kind: "attachment", content: "", filename, mime: "image/png", data_base64: PIXEL_PNG });
    },
    queue_file: (a: { channel_id: string; filename: string; data_base64: string }) => {
      if (options.simulateUploads === false) return new Promise(() => undefined);
      return enqueue(a.channel_id, { kind: "attachment", content: "", filename: a.filename, mime: "image/png", data_base64: a.data_base64 });
    },
    // Like the core: every message this "device" holds (word prefixes, case and accents
    // ignored), newest first; the server's search fails as the reference server's does.
    search_messages: (q: SearchQuery): SearchResults => {
      const words = queryWords(q.text);
      const serverOf = (cid: string) => channels.find((c) => c.id === cid)?.server_id ?? null;
      const hits = [...messages.entries()]
        .filter(([cid]) => (!q.channel_id || cid === q.channel_id) && (!q.server_id || serverOf(cid) === q.server_id))
        .flatMap(([cid, list]) => list.map((m) => ({ channel_id: cid, message: m, source: "device" as const })))
        .filter(({ message: m }) => {
          const have = queryWords(`${m.content} ${m.author_username ?? ""}`);
          const author = q.author?.replace(/^@/, "").toLowerCase();
          return (
            words.every((w) => have.some((h) => h.startsWith(w))) &&
            (!author || m.author_id === author || m.author_username?.toLowerCase() === author) &&
            (!q.has_file || m.attachments.length > 0) &&
            (q.before === null || m.created_at < q.before) &&
            (q.after === null || m.created_at > q.after)
          );
        })
        .sort((a, b) => compareIdsDesc(a.message.id, b.message.id))
        .slice(0, q.limit ?? 50);
      return { hits, server: q.text.trim() ? { state: "unavailable", reason: "Internal search error" } : { state: "not_asked" } };
    },
    // Rich messages (issue 16).
    ...polls.handlers,
    ...rich.handlers,
    forward_message: (a: { channel_id: string; message_id: string; to_channel_id: string; comment: string }) => {
      const original = (messages.get(a.channel_id) ?? []).find((m) => m.id === a.message_id);
      if (!original) throw { code: "failed", message: "Message not found", state: { state: "not_found", entity: "message", message: "Message not found" } };
      if (original.content.startsWith("ENC:1:")) {
        const text = "This message could not be decrypted by the server, so it cannot be forwarded";
        throw { code: "failed", message: text, state: { state: "invalid_input", field: "message", message: text } };
      }
      const quote = original.content.split("\n").map((l) => `> ${l}`).join("\n");
      const head = a.comment.trim() ? `${a.comment.trim()}\n\n` : "";
      const content = `${head}↪ Forwarded from @${original.author_username ?? original.author_id}\n${quote}\n\nplexichat://message/${a.channel_id}/${a.message_id}`;
      return enqueue(a.to_channel_id, { kind: "text", content });
    },
    // Saved messages and mentions (issue 15).
    ...saved.handlers,
    create_poll: (a: { channel_id: string; poll: NewPoll }) => {
      if (a.poll.options.filter((o) => o.trim()).length < 2) {
        throw { code: "failed", message: "Give at least two options", state: { state: "invalid_input", field: "options", message: "Give at least two options" } };
      }
      const id = nextId++;
      const pollId = polls.create(String(id), a.poll, me.id);
      const m = message(id, a.channel_id, ME, `📊 Poll: ${a.poll.question.trim()}`, Date.now(), { poll: { id: pollId } });
      messages.set(a.channel_id, [...(messages.get(a.channel_id) ?? []), m]);
      emit("chat-event", { type: "message_create", ...m });
      return m;
    },
    open_link: (a: { url: string }) => {
      if (!/^https?:\/\//i.test(a.url)) throw { code: "invalid_input", message: "only http and https links open", state: null };
      return null;
    },
    // Account and security (account.txt): password "right" is the account's password, code
    // "123456" the authenticator's current code.
    two_factor_status: () => ({ ...twoFactor }),
    begin_two_factor: (a: { password: string }) => {
      if (twoFactor.enabled) throw accountError({ state: "conflict", field: "two_factor", message: "2FA is already enabled" });
      if (a.password !== "right") throw accountError({ state: "invalid_input", field: "password", message: "Invalid password" });
      return {
        secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        otpauth_uri: "otpauth://totp/Plexichat:mock?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Plexichat",
        backup_codes: ["A1B2-C3D4", "E5F6-0718", "293A-4B5C"],
        qr: { size: 21, path: "M0 0h1v1h-1zM2 0h1v1h-1z" },
        started_at: Date.now(),
      };
    },
    confirm_two_factor: (a: { code: string }) => {
      if (a.code.replace(/\s/g, "") !== "123456") throw accountError({ state: "two_factor_invalid", message: "Invalid code" });
      twoFactor = { enabled: true, backup_codes_remaining: 3 };
      return { ...twoFactor };
    },
    disable_two_factor: (a: { password: string; code: string }) => {
      if (a.password !== "right") throw accountError({ state: "invalid_input", field: "password", message: "Invalid password" });
      if (a.code !== "123456") throw accountError({ state: "two_factor_invalid", message: "Invalid 2FA code" });
      twoFactor = { enabled: false, backup_codes_remaining: 0 };
      return { ...twoFactor };
    },
    save_backup_codes: () => "/home/mock/Downloads/plexichat-backup-codes-mock.txt",
    end_session: (a: { session_id: string }) => {
      const current = sessions.find((s) => s.id === a.session_id)?.current;
      sessions = sessions.filter((s) => s.id !== a.session_id);
      if (current) setUiState({ state: "signed_out" });
      return null;
    },
    revoke_other_sessions: () => {
      const n = sessions.filter((s) => !s.current).length;
      sessions = sessions.filter((s) => s.current);
      return n;
    },
    change_password: (a: { current_password: string; new_password: string }) => {
      if (a.current_password !== "right") throw accountError({ state: "invalid_input", field: "current_password", message: "Invalid password" });
      return { ...me };
    },
    request_password_reset: (a: { email: string }) => {
      if (!a.email.includes("@")) throw accountError({ state: "invalid_input", field: "email", message: "Invalid email: value is not a valid email address: An email address must have an @-sign." });
      return null;
    },
    confirm_password_reset: (a: { token: string }) => {
      if (a.token !== "good-token") throw accountError({ state: "invalid_input", field: "token", message: "Invalid token" });
      return null;
    },
    get_profile: (a: { user_id: string }) => ({ ...(profiles[a.user_id] ?? emptyProfile(a.user_id)) }),
    update_own_profile: (a: { bio?: string; pronouns?: string; location?: string; timezone?: string }) => {
      if ((a.bio ?? "").length > 1000) throw accountError({ state: "invalid_input", field: "bio", message: "Invalid bio: String should have at most 1000 characters" });
      const p = { ...(profiles[me.id] ?? emptyProfile(me.id)), ...a };
      profiles[me.id] = p;
      return { ...p };
    },
    get_messaging_settings: () => ({ ...messaging }),
    set_dm_privacy: (a: { allow_dms_from: "everyone" | "friends" | "nobody" }) => {
      messaging = { ...messaging, allow_dms_from: a.allow_dms_from };
      return { ...messaging };
    },
    list_data_exports: () => [...exports],
    request_data_export: (a: { password: string }) => {
      if (a.password !== "right") throw accountError({ state: "invalid_input", field: "password", message: "Incorrect password" });
      if (exports.some((e) => e.status === "pending")) throw accountError({ state: "rate_limited", retry_at: Date.now() + 86_400_000, scope: "data_export", global: false });
      exports.push({ id: String(exports.length + 1), status: "pending", requested_at: Math.floor(Date.now() / 1000), completed_at: null, expires_at: null, format: "json", file_size_bytes: null });
      return [...exports];
    },
    // The shell's save dialog answers the chosen file's name only (null: cancelled).
    save_data_export: (a: { request_id: string }) => `plexichat-data-export-${a.request_id}.json`,
    // A tier of 25 MB capped by the 10 MiB body limit, as the core says for the reference.
    upload_limits: () => ({ max_file_bytes: 10 * 1024 * 1024, max_avatar_bytes: 5 * 1024 * 1024, avatar_edge: 512 }),
    set_avatar: (a: { data_base64: string }) => {
      avatars.set(me.id, `data:image/png;base64,${a.data_base64}`);
      return { avatar_url: `/api/v1/avatars/users/${me.id}`, width: 256, height: 256, size: Math.floor((a.data_base64.length * 3) / 4) };
    },
    remove_avatar: () => {
      avatars.delete(me.id);
      return null;
    },
    // Nobody has an avatar until one is set: the server's placeholder is `null` here.
    fetch_avatar: (a: { user_id: string }) => avatars.get(a.user_id) ?? null,
    // Like the core: raster images only (by the URL's ending here), never SVG or a page.
    fetch_embed_image: (a: { url: string }) => {
      if (/^https?:\/\/.+\.(png|jpe?g|gif|webp)(\?.*)?$/i.test(a.url)) {
        return "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
      }
      const message = "The preview is not a PNG, JPEG, GIF or WebP image.";
      throw { code: "failed", message, state: { state: "invalid_input", field: "image", message } } satisfies IpcError;
    },
    set_notification_level: () => null,
    get_user_settings: () => ({ ...userSettings }),
    set_user_setting: (a: { key: string; value: string | null }) => {
      if (a.value === null) delete userSettings[a.key];
      else userSettings[a.key] = a.value;
      return null;
    },
  };

  return {
    calls: [],
    me,
    async invoke(command, args) {
      this.calls.push({ command, args });
      const queued = failures.get(command);
      if (queued?.length) throw queued.shift();
      const answer = answers.get(command);
      if (answer?.length) return answer.shift();
      const h = handlers[command];
      if (!h) throw { code: "internal", message: `unknown command ${command}`, state: null } satisfies IpcError;
      return h(args ?? {});
    },
    listen(event, handler) {
      const set = listeners.get(event) ?? new Set();
      set.add(handler);
      listeners.set(event, set);
      return () => set.delete(handler);
    },
    limitNext(action, ms) {
      limits.set(action, ms);
    },
    waits,
    failNext(command, error) {
      failures.set(command, [...(failures.get(command) ?? []), error]);
    },
    resolveNext(command, value) {
      answers.set(command, [...(answers.get(command) ?? []), value]);
    },
    rateLimitNextSend(ms) {
      sendScripts.push({ wait: null, ms });
    },
    waitNextSend(state, ms) {
      sendScripts.push({ wait: state, ms });
    },
    failNextSend(state) {
      sendScripts.push({ fail: state });
    },
    outbox: () => outbox,
    polls,
    rich,
    emit,
    setUiState,
  };
}
