// Data kept on this machine: a channel paints its cached messages before the network
// answers, the fresh page wins over the cache, and drafts survive a restart.
import { ChatState, outsideSpan, PAGE_SIZE } from "./chat.svelte";
import { ComposerState, DRAFT_SAVE_MS } from "./composer.svelte";
import { setBackend } from "../ipc";
import { createMockBackend, type MockBackend } from "../mock-backend";
import type { Channel, Message, Server } from "../types";

const ME = { id: "1000", username: "demo", display_name: null, avatar_url: null };

function m(id: string, content = "x"): Message {
  return { id, channel_id: "10", author_id: "1001", author_username: null, content, created_at: 0, edited_at: null, reply_to_id: null, attachments: [], reactions: [], pinned: false };
}

/** Answers `command` only when the test says so, to look at the screen before it. */
function hold<T>(mock: MockBackend, command: string): (answer: T) => void {
  let release: (answer: T) => void = () => undefined;
  const invoke = mock.invoke.bind(mock);
  mock.invoke = ((name: string, args?: Record<string, unknown>) => {
    if (name === command) return new Promise((resolve) => (release = resolve));
    return invoke(name as never, args as never);
  }) as typeof mock.invoke;
  return (answer) => release(answer);
}

function channel(id: string, name: string, server_id: string): Channel {
  return { id, name, server_id, channel_type: "text", position: Number(id), topic: null, recipient_id: null, recipient: null, category_id: null } as unknown as Channel;
}

describe("the app started again", () => {
  it("shows the last session's servers, channels and messages before the server answers", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    const server = { id: "1", name: "Cached HQ", owner_id: "1000", icon_url: null } as unknown as Server;
    mock.resolveNext("cached_overview", { servers: [server], channels: { "1": [channel("11", "random", "1"), channel("10", "general", "1")] }, dms: [] });
    mock.resolveNext("cached_messages", [m("5", "from the cache")]);
    const releaseServers = hold<Server[]>(mock, "list_servers");
    const chat = new ChatState(ME);
    const starting = chat.start();
    await vi.waitFor(() => expect(chat.current.map((x) => x.content)).toEqual(["from the cache"]));
    expect(chat.servers.map((x) => x.name)).toEqual(["Cached HQ"]);
    expect(chat.channel?.name).toBe("general");
    // The server is unreachable: the cached sidebar stays.
    releaseServers(Promise.reject({ code: "failed", message: "offline", state: null }) as never);
    await starting.catch(() => undefined);
    expect(chat.servers.map((x) => x.name)).toEqual(["Cached HQ"]);
  });
});

describe("a channel opened again", () => {
  it("shows its cached messages at once, then the fresh page replaces what it covers", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    const release = hold<Message[]>(mock, "load_messages");
    mock.resolveNext("cached_messages", [m("7", "deleted while away"), m("8", "old text"), m("9")]);
    const chat = new ChatState(ME);
    const opening = chat.selectChannel("10");
    await vi.waitFor(() => expect(chat.current.map((x) => x.id)).toEqual(["7", "8", "9"]));
    expect(mock.calls.find((c) => c.command === "cached_messages")?.args).toEqual({ channel_id: "10", limit: PAGE_SIZE });

    release([m("11"), m("9"), m("8", "edited")]);
    await opening;
    // 7 was deleted on the server, 8 was edited, 11 is new; the page reached the start.
    expect(chat.current.map((x) => [x.id, x.content])).toEqual([["8", "edited"], ["9", "x"], ["11", "x"]]);
    expect(chat.isAtStart["10"]).toBe(true);
  });

  it("keeps the cached messages when the network fails, with the error said inline", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    mock.resolveNext("cached_messages", [m("5", "still here")]);
    mock.failNext("load_messages", { code: "failed", message: "offline", state: { state: "offline", reason: "no network" } });
    const chat = new ChatState(ME);
    await chat.selectChannel("10");
    expect(chat.current.map((x) => x.content)).toEqual(["still here"]);
    expect(chat.notice?.kind).toBe("error");
  });
});

describe("outsideSpan", () => {
  it("keeps what is newer than the page, and older only when the page is not the start", () => {
    const known = ["1", "5", "9", "20", "100"].map((id) => m(id));
    const page = ["5", "20"].map((id) => m(id));
    expect(outsideSpan(known, page, false).map((x) => x.id)).toEqual(["1", "100"]);
    expect(outsideSpan(known, page, true).map((x) => x.id)).toEqual(["100"]);
    expect(outsideSpan(known, [], false)).toHaveLength(5);
    expect(outsideSpan(known, [], true)).toHaveLength(0);
  });
});

describe("drafts", () => {
  afterEach(() => vi.useRealTimers());

  /** The drafts written so far (after the microtasks that carry the calls). */
  async function saves(mock: MockBackend) {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    return mock.calls.filter((c) => c.command === "save_draft").map((c) => c.args);
  }

  it("are saved once typing pauses, and an emptied draft is removed at once", async () => {
    vi.useFakeTimers();
    const mock = createMockBackend();
    setBackend(mock);
    const composer = new ComposerState();
    composer.setDraft("10", "h");
    composer.setDraft("10", "half a thought");
    expect(await saves(mock)).toEqual([]);
    vi.advanceTimersByTime(DRAFT_SAVE_MS);
    expect(await saves(mock)).toEqual([{ channel_id: "10", content: "half a thought" }]);
    composer.setDraft("10", "");
    expect((await saves(mock))[1]).toEqual({ channel_id: "10", content: "" });
  });

  it("come back after a restart without overwriting text typed since", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    mock.resolveNext("list_drafts", { "10": "saved in the last run", "11": "other channel" });
    const composer = new ComposerState();
    composer.setDraft("11", "typed just now");
    await composer.restore();
    expect(composer.draft("10")).toBe("saved in the last run");
    expect(composer.draft("11")).toBe("typed just now");
  });

  it("are put aside while a message is edited, never saved as the edit's text", async () => {
    vi.useFakeTimers();
    const mock = createMockBackend();
    setBackend(mock);
    const composer = new ComposerState();
    composer.setDraft("10", "my draft");
    composer.flush();
    composer.edit(m("8", "the message being edited"));
    expect(composer.draft("10")).toBe("the message being edited");
    composer.setDraft("10", "the message, edited");
    vi.advanceTimersByTime(DRAFT_SAVE_MS * 2);
    composer.cancel();
    expect(composer.draft("10")).toBe("my draft");
    expect(await saves(mock)).toEqual([{ channel_id: "10", content: "my draft" }]);
  });
});
