// Logic of the state classes, without components: runes run inside $effect.root.
// (OutboxState has its own file: outbox.svelte.test.ts.)
import { flushSync } from "svelte";
import { ConnectionState, BACK_ONLINE_MS } from "./connection.svelte";
import { Announcer, INTERVAL_MS } from "./announcer.svelte";
import { mergeMessages } from "./chat.svelte";
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

describe("ChatState", () => {
  it("merges messages in id order without duplicates", () => {
    const merged = mergeMessages([m("100"), m("99")], [m("100", "edited"), m("1000")]);
    expect(merged.map((x) => [x.id, x.content])).toEqual([["99", "x"], ["100", "edited"], ["1000", "x"]]);
  });
});
