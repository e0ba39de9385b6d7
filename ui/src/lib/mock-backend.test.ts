// The mock core behaves like the real one where UI tests rely on it: the outbox's order and
// updates, the local cache and drafts.
import { createMockBackend } from "./mock-backend";
import type { OutboxUpdate } from "./bindings/OutboxUpdate";
import type { Message } from "./types";

describe("mock backend", () => {
  afterEach(() => vi.useRealTimers());

  it("delivers a channel's sends in order, the head holding the rest while it waits", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const mock = createMockBackend();
    const updates: string[] = [];
    mock.listen("outbox-update", (u) => {
      const x = u as OutboxUpdate;
      updates.push(x.update === "queued" ? `queued ${x.entry.local_id}` : "local_id" in x ? `${x.update} ${x.local_id}` : x.update);
    });
    mock.rateLimitNextSend(1000);
    expect(await mock.invoke("queue_message", { channel_id: "10", content: "first", reply_to_id: null })).toBe(1);
    expect(await mock.invoke("queue_message", { channel_id: "10", content: "second", reply_to_id: null })).toBe(2);
    // Queued goes out before the command returns, as in the core.
    expect(updates).toEqual(["queued 1", "queued 2"]);
    await vi.advanceTimersByTimeAsync(1500);
    expect(updates).toEqual(["queued 1", "queued 2", "sending 1", "waiting 1", "sending 1", "sent 1", "sending 2", "sent 2"]);
    const all = (await mock.invoke("load_messages", { channel_id: "10", before: null, after: null, limit: 2 })) as Message[];
    expect(all.map((m) => m.content)).toEqual(["second", "first"]);
  });

  it("keeps a failed send until retried or cancelled, and refuses stale ids", async () => {
    const mock = createMockBackend();
    mock.failNextSend({ state: "content_rejected", message: "Internal server error" });
    await mock.invoke("queue_message", { channel_id: "10", content: "a -- b", reply_to_id: null });
    await vi.waitFor(() => expect(mock.outbox()[0]?.state.state).toBe("failed"), { timeout: 5000 });
    await expect(mock.invoke("retry_send", { local_id: 99 })).rejects.toMatchObject({ code: "invalid_argument" });
    await mock.invoke("cancel_send", { local_id: 1 });
    expect(mock.outbox()).toEqual([]);
    await expect(mock.invoke("cancel_send", { local_id: 1 })).rejects.toMatchObject({ code: "invalid_argument" });
  });

  it("caches only channels opened before, and keeps drafts until emptied", async () => {
    const mock = createMockBackend({ drafts: { "11": "from last run" } });
    expect(await mock.invoke("cached_messages", { channel_id: "10", limit: 50 })).toEqual([]);
    await mock.invoke("load_messages", { channel_id: "10", before: null, after: null, limit: 50 });
    const cached = (await mock.invoke("cached_messages", { channel_id: "10", limit: 50 })) as Message[];
    expect(cached).toHaveLength(40);
    expect(Number(cached[0].id)).toBeLessThan(Number(cached[39].id));
    await mock.invoke("save_draft", { channel_id: "10", content: "half a thought" });
    expect(await mock.invoke("list_drafts", null)).toEqual({ "10": "half a thought", "11": "from last run" });
    await mock.invoke("save_draft", { channel_id: "11", content: "" });
    expect(await mock.invoke("list_drafts", null)).toEqual({ "10": "half a thought" });
  });
});
