// OutboxState over the mock core's outbox: what the user sees of a send, from the composer to
// the delivered message, across failures and a restart.
import { ChatState } from "./chat.svelte";
import { OutboxState, type OutboxEvent, type PendingMessage } from "./outbox.svelte";
import { setBackend } from "../ipc";
import { createMockBackend, type MockBackend, type MockOptions } from "../mock-backend";
import type { OutboxEntry } from "../bindings/OutboxEntry";
import type { Event, Message } from "../types";

const ME = { id: "1000", username: "demo", display_name: null, avatar_url: null };
const REJECTED = { state: "content_rejected" as const, message: "Internal server error" };

/**
 * A window's outbox and chat wired to a mock core as ChatScreen wires them. `wrap` may stand
 * between the two (to hold a reply or lose an event).
 */
function setup(options: MockOptions = {}, wrap?: (mock: MockBackend) => MockBackend) {
  const mock = createMockBackend(options);
  const backend = wrap ? wrap(mock) : mock;
  setBackend(backend);
  const chat = new ChatState(ME);
  const outbox = new OutboxState(chat);
  backend.listen("outbox-update", (u) => outbox.onUpdate(u as OutboxEvent));
  backend.listen("chat-event", (e) => {
    const ev = e as Event;
    if (ev.type === "message_create") {
      const { type: _t, ...m } = ev;
      outbox.onDelivered(m);
    }
    chat.handleEvent(ev);
  });
  return { mock, chat, outbox };
}

/** Waits for an assertion to hold; generous, for a loaded machine. */
const until = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 10 });
const contents = (items: PendingMessage[]) => items.map((p) => [p.content, p.status]);
const shown = (chat: ChatState, channelId: string, content: string) => (chat.messages[channelId] ?? []).filter((m: Message) => m.content === content);

/** A backend whose `queue_message` replies only when `release` is called. */
function holdingReplies(mock: MockBackend): { backend: MockBackend; release: () => void } {
  let release = () => undefined as void;
  const gate = new Promise<void>((r) => (release = r));
  const backend: MockBackend = {
    ...mock,
    async invoke(command, args) {
      const result = await mock.invoke.call(mock, command, args);
      if (command === "queue_message") await gate;
      return result;
    },
  };
  return { backend, release };
}

/** A backend that loses every `queued` update, as after a lag in the shell. */
function losingQueued(mock: MockBackend): MockBackend {
  return {
    ...mock,
    listen(event, handler) {
      return mock.listen(event, (p) => {
        if (event === "outbox-update" && (p as OutboxEvent).update === "queued") return;
        handler(p);
      });
    },
  };
}

describe("OutboxState", () => {
  afterEach(() => vi.useRealTimers());

  it("shows a send as pending at once and swaps it for its message, never both or neither", async () => {
    const { mock, chat, outbox } = setup();
    // Checked after every event the window gets: the text is on screen exactly once.
    const seen: number[] = [];
    const check = () => seen.push(outbox.items.filter((p) => p.content === "hello").length + shown(chat, "10", "hello").length);
    mock.listen("outbox-update", check);
    mock.listen("chat-event", check);
    const sent = outbox.send("10", "hello", null);
    expect(contents(outbox.items)).toEqual([["hello", "sending"]]);
    await sent;
    expect(outbox.items[0]?.local_id).toBe("outbox-1");
    await until(() => expect(outbox.items).toHaveLength(0));
    expect(shown(chat, "10", "hello")).toHaveLength(1);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.every((n) => n === 1)).toBe(true);
    expect(mock.calls.filter((c) => c.command === "queue_message").map((c) => c.args)).toEqual([{ channel_id: "10", content: "hello", reply_to_id: null }]);
  });

  it("applies events that come before queue_message answers, and a late answer revives nothing", async () => {
    let release = () => undefined as void;
    const { chat, outbox } = setup({}, (mock) => {
      const held = holdingReplies(mock);
      release = held.release;
      return held.backend;
    });
    const sent = outbox.send("10", "early bird", null);
    await until(() => expect(shown(chat, "10", "early bird")).toHaveLength(1));
    expect(outbox.items).toHaveLength(0);
    release();
    await sent;
    expect(outbox.items).toHaveLength(0);
    expect(shown(chat, "10", "early bird")).toHaveLength(1);
  });

  it("a send delivered before the answer, with its queued update lost, shows once and stays gone", async () => {
    let release = () => undefined as void;
    const { mock, chat, outbox } = setup({}, (m) => {
      const held = holdingReplies(losingQueued(m));
      release = held.release;
      return held.backend;
    });
    const sent = outbox.send("10", "quick", null);
    await until(() => expect(shown(chat, "10", "quick")).toHaveLength(1));
    expect(mock.outbox()).toHaveLength(0);
    // The echo showed the message: the pending row went with it.
    expect(outbox.items).toHaveLength(0);
    release();
    await sent;
    expect(outbox.items).toHaveLength(0);
    // A snapshot taken before the send settled does not bring it back either.
    outbox.restore([{ local_id: 1, channel_id: "10", item: { kind: "text", content: "quick" }, state: { state: "sending" }, created_at: 1 }]);
    expect(outbox.items).toHaveLength(0);
    expect(shown(chat, "10", "quick")).toHaveLength(1);
  });

  it("a failure reported before the answer, with its queued update lost, shows once the answer comes", async () => {
    let release = () => undefined as void;
    const { mock, outbox } = setup({}, (m) => {
      const held = holdingReplies(losingQueued(m));
      release = held.release;
      return held.backend;
    });
    mock.failNextSend(REJECTED);
    const sent = outbox.send("10", "a -- b", null);
    await until(() => expect(mock.outbox()[0]?.state.state).toBe("failed"));
    expect(contents(outbox.items)).toEqual([["a -- b", "sending"]]);
    release();
    await sent;
    expect(outbox.items).toEqual([expect.objectContaining({ local_id: "outbox-1", content: "a -- b", status: "failed", error: expect.stringContaining("refused this message's content") })]);
  });

  it("a failed send survives a restart; Retry asks the core to send it again and it arrives", async () => {
    const first = setup();
    first.mock.failNextSend(REJECTED);
    await first.outbox.send("10", "a -- b", null);
    await until(() => expect(first.outbox.items[0]?.status).toBe("failed"));
    expect(first.mock.calls.some((c) => c.command === "cancel_send")).toBe(false);

    // Restart: the core reopens the same outbox; the window starts empty and restores it.
    const { mock, chat, outbox } = setup({ pendingOutbox: first.mock.outbox() });
    expect(outbox.items).toHaveLength(0);
    outbox.restore(mock.outbox());
    expect(outbox.items).toEqual([expect.objectContaining({ local_id: "outbox-1", content: "a -- b", status: "failed", error: expect.stringContaining("refused") })]);
    await outbox.retry("outbox-1");
    expect(mock.calls.find((c) => c.command === "retry_send")?.args).toEqual({ local_id: 1 });
    await until(() => expect(outbox.items).toHaveLength(0));
    expect(shown(chat, "10", "a -- b")).toHaveLength(1);
    expect(mock.outbox()).toHaveLength(0);
  });

  it("restores queued and failed sends of an earlier run in order, and only once", () => {
    const pendingOutbox: OutboxEntry[] = [
      { local_id: 7, channel_id: "10", item: { kind: "text", content: "typed before the crash" }, state: { state: "queued" }, created_at: 1 },
      { local_id: 8, channel_id: "10", item: { kind: "reply", content: "a -- b", reply_to_id: "42" }, state: { state: "failed", reason: REJECTED }, created_at: 2 },
      { local_id: 9, channel_id: "10", item: { kind: "delete", message_id: "42" }, state: { state: "queued" }, created_at: 3 },
    ];
    const { outbox } = setup({ pendingOutbox });
    outbox.restore(pendingOutbox);
    outbox.restore(pendingOutbox);
    expect(outbox.items.map((p) => [p.local_id, p.content, p.status, p.reply_to_id])).toEqual([
      ["outbox-7", "typed before the crash", "sending", null],
      ["outbox-8", "a -- b", "failed", "42"],
    ]);
  });

  it("Delete cancels the entry in the core; Edit cancels it and gives the text back", async () => {
    const { mock, outbox } = setup();
    mock.failNextSend(REJECTED);
    mock.failNextSend(REJECTED);
    await outbox.send("10", "one", null);
    await outbox.send("10", "two", null);
    await until(() => expect(contents(outbox.items)).toEqual([["one", "failed"], ["two", "failed"]]));
    outbox.discard("outbox-1");
    expect(outbox.discard("outbox-2")).toBe("two");
    expect(outbox.items).toHaveLength(0);
    await until(() => expect(mock.outbox()).toHaveLength(0));
    expect(mock.calls.filter((c) => c.command === "cancel_send").map((c) => c.args)).toEqual([{ local_id: 1 }, { local_id: 2 }]);
    expect(outbox.items).toHaveLength(0);
  });

  it("a send the core refused to take keeps its text; Retry queues it again, Delete forgets it", async () => {
    const { mock, chat, outbox } = setup();
    mock.failNext("queue_message", { code: "internal", message: "database is locked", state: null });
    await outbox.send("10", "keep me", null);
    expect(outbox.items).toEqual([expect.objectContaining({ content: "keep me", status: "failed", error: "database is locked" })]);
    await outbox.retry(outbox.items[0].local_id);
    await until(() => expect(outbox.items).toHaveLength(0));
    expect(shown(chat, "10", "keep me")).toHaveLength(1);

    mock.failNext("queue_message", { code: "not_signed_in", message: "Not signed in", state: null });
    await outbox.send("10", "later", null);
    expect(outbox.discard(outbox.items[0].local_id)).toBe("later");
    expect(outbox.items).toHaveLength(0);
    expect(mock.calls.some((c) => c.command === "cancel_send")).toBe(false);
  });

  it("a rate-limited send counts down to the core's retry time, then arrives by itself", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { mock, chat, outbox } = setup();
    mock.rateLimitNextSend(3000);
    await outbox.send("10", "limited", null);
    await until(() => expect(outbox.items[0]?.status).toBe("rate_limited"));
    expect(outbox.items[0].retry_at).toBeGreaterThan(Date.now() + 2000);
    vi.advanceTimersByTime(3500);
    await until(() => expect(outbox.items).toHaveLength(0));
    expect(shown(chat, "10", "limited")).toHaveLength(1);
  });

  it("a send waiting for the connection says so and stays pending", async () => {
    // Fake time: the mock's hour-long wait must not outlive the test.
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { mock, outbox } = setup();
    mock.waitNextSend({ state: "offline", reason: "no network" }, 3_600_000);
    await outbox.send("10", "offline text", null);
    await until(() => expect(outbox.items[0]?.note).toBe("Waiting for connection…"));
    expect(outbox.items[0].status).toBe("sending");
  });

  it("a resync takes the core's list: gone entries leave, unseen ones show", async () => {
    const entry = (local_id: number, content: string): OutboxEntry => ({ local_id, channel_id: "10", item: { kind: "text", content }, state: { state: "queued" }, created_at: local_id });
    const { mock, outbox } = setup({ pendingOutbox: [entry(1, "delivered meanwhile"), entry(2, "still here")] });
    outbox.restore(mock.outbox());
    mock.resolveNext("list_outbox", [entry(2, "still here"), { ...entry(3, "missed"), state: { state: "failed", reason: REJECTED } }]);
    mock.emit("outbox-update", { update: "resync" });
    await until(() => expect(contents(outbox.items)).toEqual([["still here", "sending"], ["missed", "failed"]]));
  });

  it("a refusal to message this user shows on the composer; a vanished channel is dropped", async () => {
    const { mock, chat, outbox } = setup();
    mock.failNextSend({ state: "forbidden", reason: "cannot_message_user", message: "Cannot message this user" });
    await outbox.send("30", "are you there?", null);
    await until(() => expect(outbox.notices["30"]?.text).toBe("You can't message this user."));
    expect(contents(outbox.items)).toEqual([["are you there?", "failed"]]);

    mock.failNextSend({ state: "not_found", entity: "channel", message: "Channel not found" });
    await outbox.send("11", "into the void", null);
    await until(() => expect(chat.notice?.text).toBe("This channel no longer exists."));
    expect(contents(outbox.items)).toEqual([["are you there?", "failed"]]);
    expect(mock.calls.find((c) => c.command === "cancel_send")?.args).toEqual({ local_id: 2 });
  });

  it("a file waits as a row of its own and leaves when its message arrives", async () => {
    const { mock, chat, outbox } = setup();
    mock.failNextSend({ state: "invalid_input", field: "file", message: "File type not allowed" });
    await outbox.upload("10", "/home/me/cat.png");
    await until(() => expect(outbox.items).toEqual([expect.objectContaining({ filename: "cat.png", status: "failed", error: "File type not allowed" })]));
    expect(outbox.uploads).toHaveLength(0);
    await outbox.retry(outbox.items[0].local_id);
    await until(() => expect(outbox.items).toHaveLength(0));
    expect(chat.messages["10"].at(-1)?.attachments.map((a) => a.filename)).toEqual(["cat.png"]);
  });

  it("an edit the server refuses after it waited is said, and dropped from the outbox", async () => {
    const { mock, chat, outbox } = setup();
    const edit: OutboxEntry = { local_id: 40, channel_id: "10", item: { kind: "edit", message_id: "100001", content: "new words" }, state: { state: "queued" }, created_at: 1 };
    mock.emit("outbox-update", { update: "queued", entry: edit });
    mock.emit("outbox-update", { update: "waiting", local_id: 40, state: { state: "offline", reason: "no network" }, retry_at: 1 });
    mock.emit("outbox-update", { update: "failed", local_id: 40, state: { state: "forbidden", reason: "permission_denied", message: "Permission denied" } });
    expect(outbox.items).toHaveLength(0);
    expect(chat.notice?.text).toBe("You don't have permission to do that.");
    await until(() => expect(mock.calls.find((c) => c.command === "cancel_send")?.args).toEqual({ local_id: 40 }));
  });

  it("a delivered message from the core resolves the matching pending send only", () => {
    const chat = new ChatState(ME);
    const outbox = new OutboxState(chat);
    outbox.items = [{ local_id: "outbox-1", channel_id: "10", content: "hello", reply_to_id: null, filename: null, status: "sending", retry_at: null, error: null, note: null }];
    const echo = (id: string, author: string): Message => ({ id, channel_id: "10", author_id: author, author_username: null, content: "hello", created_at: 0, edited_at: null, reply_to_id: null, attachments: [], reactions: [], pinned: false });
    outbox.onDelivered(echo("5", "1001"));
    expect(outbox.items).toHaveLength(1);
    outbox.onDelivered(echo("6", ME.id));
    expect(outbox.items).toHaveLength(0);
  });

  it("a route rate limit announced while a send is in flight counts down on that message", () => {
    const outbox = new OutboxState(new ChatState(ME));
    outbox.items = [{ local_id: "outbox-1", channel_id: "10", content: "wait for it", reply_to_id: null, filename: null, status: "sending", retry_at: null, error: null, note: null }];
    outbox.onAppState({ state: "rate_limited", retry_at: 123, scope: "route", global: false });
    expect(outbox.items.map((p) => [p.content, p.status, p.retry_at])).toEqual([["wait for it", "rate_limited", 123]]);
    // A global limit is the banner's business; other states change nothing.
    outbox.items = [{ ...outbox.items[0], status: "sending", retry_at: null }];
    outbox.onAppState({ state: "rate_limited", retry_at: 5, scope: "global", global: true });
    outbox.onAppState({ state: "connecting" });
    expect(outbox.items[0].status).toBe("sending");
  });

  it("an upload shows its progress, and a file over the server's limit is refused before it is read", async () => {
    const { mock, outbox } = setup();
    const entry: OutboxEntry = { local_id: 50, channel_id: "10", item: { kind: "attachment", content: "", filename: "big.png", mime: "image/png", data_base64: "" }, state: { state: "sending" }, created_at: 1 };
    mock.emit("outbox-update", { update: "queued", entry });
    mock.emit("outbox-update", { update: "progress", local_id: 50, sent: 512, total: 2048 });
    expect(outbox.items[0].progress).toEqual({ sent: 512, total: 2048 });
    // A dropped connection: the bar goes, the row waits and is retried by the core.
    mock.emit("outbox-update", { update: "waiting", local_id: 50, state: { state: "offline", reason: "reset" }, retry_at: 1 });
    expect(outbox.items[0].progress).toBeNull();
    expect(outbox.items[0].note).toBe("Waiting for connection…");

    const huge = new File(["x"], "huge.mov", { type: "video/quicktime" });
    Object.defineProperty(huge, "size", { value: 11 * 1024 * 1024 });
    await outbox.upload("10", huge);
    expect(outbox.notices["10"]?.text).toBe("huge.mov is 11.0 MB: files can be up to 10.0 MB here.");
    expect(mock.calls.some((c) => c.command === "queue_file")).toBe(false);
  });

  it("an upload in flight can be cancelled", async () => {
    const { mock, outbox } = setup();
    const entry: OutboxEntry = { local_id: 51, channel_id: "10", item: { kind: "attachment", content: "", filename: "a.png", mime: "image/png", data_base64: "" }, state: { state: "sending" }, created_at: 1 };
    mock.emit("outbox-update", { update: "queued", entry });
    mock.emit("outbox-update", { update: "progress", local_id: 51, sent: 1, total: 4 });
    outbox.discard(outbox.items[0].local_id);
    expect(outbox.items).toHaveLength(0);
    await until(() => expect(mock.calls.find((c) => c.command === "cancel_send")?.args).toEqual({ local_id: 51 }));
  });
});
