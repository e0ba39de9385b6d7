// Logic of the state classes, without components: runes run inside $effect.root.
import { flushSync } from "svelte";
import { ConnectionState, BACK_ONLINE_MS } from "./connection.svelte";
import { Announcer, INTERVAL_MS } from "./announcer.svelte";
import { ChatState, mergeMessages } from "./chat.svelte";
import { OutboxState } from "./outbox.svelte";
import { setBackend } from "../ipc";
import { createMockBackend } from "../mock-backend";
import type { Message } from "../types";

const ME = { id: "1000", username: "demo", display_name: null, avatar_url: null };

function m(id: string, content = "x", author = "1001"): Message {
  return { id, channel_id: "10", author_id: author, author_username: null, content, created_at: 0, edited_at: null, reply_to_id: null, attachments: [], reactions: [], pinned: false };
}

describe("ConnectionState", () => {
  afterEach(() => vi.useRealTimers());

  it("says Back online after a drop, then clears by itself", () => {
    vi.useFakeTimers();
    const c = new ConnectionState();
    const cleanup = $effect.root(() => {
      c.apply({ state: "ready", user: ME });
      expect(c.banner).toBeNull();
      c.apply({ state: "reconnecting", attempt: 1, next_at: Date.now() + 1000 });
      expect(c.banner?.kind).toBe("reconnecting");
      c.apply({ state: "ready", user: ME });
      expect(c.banner?.kind).toBe("back_online");
      vi.advanceTimersByTime(BACK_ONLINE_MS + 1);
      flushSync();
      expect(c.banner).toBeNull();
    });
    cleanup();
  });

  it("forgets the link when the session ends", () => {
    const c = new ConnectionState();
    c.apply({ state: "connecting" });
    c.apply({ state: "invalid_credentials", failed_attempts: 1, attempts_left: 4 });
    expect(c.banner).toBeNull();
  });

  it("ignores states that are not about the link", () => {
    const c = new ConnectionState();
    c.apply({ state: "offline", reason: "no network" });
    c.apply({ state: "server_error", status: 500, attempt: 1, next_retry_at: null, message: "" });
    expect(c.banner).toEqual({ kind: "offline", reason: "no network" });
  });
});

describe("Announcer", () => {
  afterEach(() => vi.useRealTimers());

  it("says the first message at once and summarises a burst", () => {
    vi.useFakeTimers();
    const a = new Announcer();
    a.announce("alice: hi", "general");
    expect(a.text).toBe("alice: hi");
    a.announce("bob: yo", "general");
    a.announce("carol: hey", "general");
    expect(a.text).toBe("alice: hi");
    vi.advanceTimersByTime(INTERVAL_MS);
    expect(a.text).toBe("2 new messages in general");
  });
});

describe("ChatState and OutboxState", () => {
  it("merges messages in id order without duplicates", () => {
    const merged = mergeMessages([m("100"), m("99")], [m("100", "edited"), m("1000")]);
    expect(merged.map((x) => [x.id, x.content])).toEqual([["99", "x"], ["100", "edited"], ["1000", "x"]]);
  });

  it("a delivered message from the core resolves the matching pending send only", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    const limited = { code: "failed" as const, message: "Rate limited", state: { state: "rate_limited" as const, retry_at: Date.now() + 3_600_000, scope: null, global: false } };
    mock.failNext("send_message", limited);
    const chat = new ChatState(ME);
    const outbox = new OutboxState(chat);
    await outbox.send("10", "hello", null);
    expect(outbox.items.map((p) => [p.content, p.status])).toEqual([["hello", "rate_limited"]]);
    outbox.onDelivered(m("5", "hello", "1001"));
    expect(outbox.items).toHaveLength(1);
    outbox.onDelivered(m("6", "hello", ME.id));
    expect(outbox.items).toHaveLength(0);
  });

  it("a refused wait that runs out hands the choice back to the user, text kept", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    mock.failNext("send_message", { code: "failed", message: "Rate limited", state: { state: "rate_limited", retry_at: Date.now() + 1000, scope: null, global: false } });
    const outbox = new OutboxState(new ChatState(ME));
    await outbox.send("10", "keep me", null);
    outbox.expire(outbox.items[0].local_id);
    expect(outbox.items.map((p) => [p.content, p.status])).toEqual([["keep me", "failed"]]);
    await outbox.retry(outbox.items[0].local_id);
    expect(outbox.items).toHaveLength(0);
  });

  it("a route rate limit announced while a send is in flight counts down on that message", () => {
    const chat = new ChatState(ME);
    const outbox = new OutboxState(chat);
    outbox.items = [{ local_id: "l1", channel_id: "10", content: "wait for it", reply_to_id: null, status: "sending", retry_at: null, error: null }];
    outbox.onAppState({ state: "rate_limited", retry_at: 123, scope: "route", global: false });
    expect(outbox.items.map((p) => [p.content, p.status, p.retry_at])).toEqual([["wait for it", "rate_limited", 123]]);
    // A global limit is the banner's business; other states change nothing.
    outbox.items = [{ ...outbox.items[0], status: "sending", retry_at: null }];
    outbox.onAppState({ state: "rate_limited", retry_at: 5, scope: "global", global: true });
    outbox.onAppState({ state: "connecting" });
    expect(outbox.items[0].status).toBe("sending");
  });
});
