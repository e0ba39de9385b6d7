// Memory of long channels: pages join without re-sorting the channel, and a channel the user
// has come back to the bottom of (or left) keeps only its newest messages, loading older ones
// again when scrolled up.
import { ChatState, KEEP_NEWEST, MAX_LOADED, mergeMessages, PAGE_SIZE } from "./chat.svelte";
import { setBackend } from "../ipc";
import { createMockBackend, type MockBackend } from "../mock-backend";
import type { Message } from "../types";

const ME = { id: "1000", username: "demo", display_name: null, avatar_url: null };

function m(id: number | string, content = "x"): Message {
  return { id: String(id), channel_id: "10", author_id: "1001", author_username: null, content, created_at: 0, edited_at: null, reply_to_id: null, attachments: [], reactions: [], pinned: false };
}

/** Ids from `from` to `to` inclusive, newest first (as the server pages them). */
function page(from: number, to: number): Message[] {
  const out: Message[] = [];
  for (let id = to; id >= from; id--) out.push(m(id));
  return out;
}

const ids = (list: Message[]) => list.map((x) => x.id);

describe("mergeMessages", () => {
  it("puts an older page before, a newer one after, and merges overlaps by id", () => {
    const loaded = [m(100), m(101)];
    expect(ids(mergeMessages(loaded, page(98, 99)))).toEqual(["98", "99", "100", "101"]);
    expect(ids(mergeMessages(loaded, [m(1000), m(102)]))).toEqual(["100", "101", "102", "1000"]);
    const merged = mergeMessages(loaded, [m(101, "edited"), m(99), m(99, "later copy")]);
    expect(merged.map((x) => [x.id, x.content])).toEqual([["99", "later copy"], ["100", "x"], ["101", "edited"]]);
  });
});

describe("a long channel", () => {
  let mock: MockBackend;
  beforeEach(() => {
    mock = createMockBackend();
    setBackend(mock);
  });

  async function openWith(chat: ChatState, pages: Message[][]) {
    mock.resolveNext("cached_messages", []);
    mock.resolveNext("load_messages", pages[0]);
    await chat.selectChannel("10");
    for (const p of pages.slice(1)) {
      mock.resolveNext("load_messages", p);
      await chat.loadOlder();
    }
  }

  it("keeps only its newest messages once trimmed, and loads the older ones again by scrolling up", async () => {
    const chat = new ChatState(ME);
    // 8 pages of 50 = 400 messages, ids 1..400, loaded newest first.
    const pages = Array.from({ length: 8 }, (_, i) => page(401 - (i + 1) * PAGE_SIZE, 400 - i * PAGE_SIZE));
    await openWith(chat, pages);
    expect(chat.current).toHaveLength(400);
    expect(chat.current[0].id).toBe("1");

    chat.trimToNewest("10");
    expect(chat.current).toHaveLength(KEEP_NEWEST);
    expect(chat.current.at(-1)?.id).toBe("400");
    const oldestKept = chat.current[0].id;
    expect(oldestKept).toBe(String(401 - KEEP_NEWEST));

    mock.resolveNext("load_messages", page(401 - KEEP_NEWEST - PAGE_SIZE, 400 - KEEP_NEWEST));
    await chat.loadOlder();
    const asked = mock.calls.filter((c) => c.command === "load_messages").at(-1)?.args;
    expect(asked).toMatchObject({ channel_id: "10", before: oldestKept });
    expect(chat.current).toHaveLength(KEEP_NEWEST + PAGE_SIZE);
  });

  it("that had reached its first message can scroll up to it again after a trim", async () => {
    const chat = new ChatState(ME);
    // 340 messages: six full pages, then a short one that reaches the start.
    const pages = Array.from({ length: 6 }, (_, i) => page(341 - (i + 1) * PAGE_SIZE, 340 - i * PAGE_SIZE));
    await openWith(chat, [...pages, page(1, 40)]);
    expect(chat.isAtStart["10"]).toBe(true);

    chat.trimToNewest("10");
    expect(chat.isAtStart["10"]).toBe(false);
    mock.resolveNext("load_messages", page(1, 40));
    await chat.loadOlder();
    expect(chat.current[0].id).toBe("1");
  });

  it("is trimmed when the user opens another channel, and keeps what it shows", async () => {
    const chat = new ChatState(ME);
    const pages = Array.from({ length: 8 }, (_, i) => page(401 - (i + 1) * PAGE_SIZE, 400 - i * PAGE_SIZE));
    await openWith(chat, pages);
    mock.resolveNext("cached_messages", []);
    mock.resolveNext("load_messages", []);
    await chat.selectChannel("11");
    expect(chat.messages["10"]).toHaveLength(KEEP_NEWEST);
    expect(chat.messages["10"].at(-1)?.id).toBe("400");
  });

  it("short enough is left alone", async () => {
    const chat = new ChatState(ME);
    await openWith(chat, [page(351, 400), page(301, 350)]);
    chat.trimToNewest("10");
    expect(chat.current).toHaveLength(100);
    expect(chat.current[0].id).toBe("301");
  });

  /** Ascending ids from..to (as the server answers an `after` page). */
  function after(from: number, to: number): Message[] {
    return page(from, to).reverse();
  }

  it("read far back holds at most MAX_LOADED messages, dropping the newest side, and scrolls back down to the present", async () => {
    const chat = new ChatState(ME);
    // 1,000 messages: 20 pages loaded newest first, as scrolling to the top does.
    const pages = Array.from({ length: 20 }, (_, i) => page(1001 - (i + 1) * PAGE_SIZE, 1000 - i * PAGE_SIZE));
    await openWith(chat, pages);
    expect(chat.current).toHaveLength(MAX_LOADED);
    expect(chat.current[0].id).toBe("1");
    expect(chat.current.at(-1)?.id).toBe(String(MAX_LOADED));
    expect(chat.hasNewer["10"]).toBe(true);

    // A message posted meanwhile does not join the far-back window (it would leave a gap).
    chat.handleEvent({ type: "message_create", ...m(1001, "live") });
    expect(chat.current.at(-1)?.id).toBe(String(MAX_LOADED));

    // Scrolling down asks for the page right after the newest loaded one, and the oldest go.
    mock.resolveNext("load_messages", after(MAX_LOADED + 1, MAX_LOADED + PAGE_SIZE));
    await chat.loadNewer();
    const asked = mock.calls.filter((c) => c.command === "load_messages").at(-1)?.args;
    expect(asked).toMatchObject({ channel_id: "10", before: null, after: String(MAX_LOADED) });
    expect(chat.current).toHaveLength(MAX_LOADED);
    expect(chat.current[0].id).toBe(String(PAGE_SIZE + 1));
    expect(chat.current.at(-1)?.id).toBe(String(MAX_LOADED + PAGE_SIZE));
    expect(chat.isAtStart["10"]).toBe(false);

    // On to the newest: the short last page ends the detour and the live message is there.
    for (let from = MAX_LOADED + PAGE_SIZE + 1; from <= 1000; from += PAGE_SIZE) {
      mock.resolveNext("load_messages", after(from, from + PAGE_SIZE - 1));
      await chat.loadNewer();
      expect(chat.hasNewer["10"]).toBe(true);
    }
    mock.resolveNext("load_messages", [m(1001, "live")]);
    await chat.loadNewer();
    expect(chat.hasNewer["10"]).toBe(false);
    expect(ids(chat.current.slice(-3))).toEqual(["999", "1000", "1001"]);
    expect(chat.current.at(-1)?.content).toBe("live");
    expect(chat.current.length).toBeLessThanOrEqual(MAX_LOADED);
    // Back at the present, new messages join again.
    chat.handleEvent({ type: "message_create", ...m(1002, "next") });
    expect(chat.current.at(-1)?.id).toBe("1002");
  });

  it("jumps to the present from far back by loading the newest page afresh", async () => {
    const chat = new ChatState(ME);
    const pages = Array.from({ length: 12 }, (_, i) => page(601 - (i + 1) * PAGE_SIZE, 600 - i * PAGE_SIZE));
    await openWith(chat, pages);
    expect(chat.hasNewer["10"]).toBe(true);
    mock.resolveNext("load_messages", page(551, 600));
    await chat.jumpToPresent();
    expect(chat.hasNewer["10"]).toBe(false);
    expect(ids(chat.current)).toEqual(ids(page(551, 600).reverse()));
  });

  it("left while far back opens at the newest messages next time", async () => {
    const chat = new ChatState(ME);
    const pages = Array.from({ length: 12 }, (_, i) => page(601 - (i + 1) * PAGE_SIZE, 600 - i * PAGE_SIZE));
    await openWith(chat, pages);
    mock.resolveNext("cached_messages", []);
    mock.resolveNext("load_messages", []);
    await chat.selectChannel("11");
    expect(chat.messages["10"]).toBeUndefined();
    mock.resolveNext("cached_messages", []);
    mock.resolveNext("load_messages", page(551, 600));
    await chat.selectChannel("10");
    expect(chat.current.at(-1)?.id).toBe("600");
    expect(chat.hasNewer["10"]).toBe(false);
  });

  it("read far back takes a catch-up's corrections without gaining the newest pages", async () => {
    const chat = new ChatState(ME);
    const pages = Array.from({ length: 12 }, (_, i) => page(601 - (i + 1) * PAGE_SIZE, 600 - i * PAGE_SIZE));
    await openWith(chat, pages);
    expect(chat.current.at(-1)?.id).toBe(String(MAX_LOADED));
    // The newest 200 (401..600) come back after a gap: 450 was edited, 460 deleted.
    const refreshed = page(401, 600)
      .filter((x) => x.id !== "460")
      .map((x) => (x.id === "450" ? m(450, "edited") : x));
    chat.handleEvent({ type: "messages_refreshed", channel_id: "10", messages: refreshed, reached_start: false });
    expect(chat.current.at(-1)?.id).toBe(String(MAX_LOADED));
    expect(chat.current.find((x) => x.id === "450")?.content).toBe("edited");
    expect(chat.current.some((x) => x.id === "460")).toBe(false);
    expect(chat.current[0].id).toBe("1");
  });
});
