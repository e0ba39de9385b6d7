import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "../../test/harness";
import { setBackend } from "../ipc";
import { createMockBackend } from "../mock-backend";
import EmojiPicker from "./EmojiPicker.svelte";
import ScheduledList from "./ScheduledList.svelte";
import { expandShortcodes, loadEmojiTable, recentEmojis, searchEmojis, shortcodeAt, useEmoji, withTone } from "./emoji-data";
import { fromLocalInput, quickTimes, toLocalInput } from "./when";

const READY = { state: "ready", user: { id: "1000", username: "demo", display_name: "Demo User", avatar_url: null } } as const;

beforeEach(() => localStorage.clear());

describe("emoji data", () => {
  it("loads on demand and finds emoji by shortcode, name and keyword", async () => {
    const t = await loadEmojiTable();
    expect(t.categories.map((c) => c.id)).toContain("people");
    expect(searchEmojis(t, "thumbsup")[0]?.skins[0]).toBe("👍");
    expect(searchEmojis(t, "+1")[0]?.id).toBe("+1");
    expect(searchEmojis(t, ":joy")[0]?.id).toBe("joy");
    expect(withTone(t.byId.get("+1")!, 5)).toBe("👍🏿");
    // No tones: the default whatever the tone.
    expect(withTone(t.byId.get("joy")!, 3)).toBe("😂");
    expect(expandShortcodes(t, "ship it :+1: :party_parrot:", 0)).toBe("ship it 👍 :party_parrot:");
  });

  it("spots a :shortcode being typed before the caret", () => {
    expect(shortcodeAt("hello :smi", 10)).toEqual({ start: 6, query: "smi" });
    expect(shortcodeAt(":jo", 3)).toEqual({ start: 0, query: "jo" });
    expect(shortcodeAt("time 10:30", 10)).toBeNull();
    expect(shortcodeAt("hi :a", 5)).toBeNull();
  });

  it("keeps recents newest first without duplicates", () => {
    useEmoji("👍");
    useEmoji("🎉");
    useEmoji("👍");
    expect(recentEmojis()).toEqual(["👍", "🎉"]);
  });
});

describe("send-later times", () => {
  it("offers quick choices in the future and round-trips the date field", () => {
    const now = new Date(2026, 11, 3, 10, 15).getTime();
    const q = quickTimes(now);
    expect(q.map((x) => x.label)).toEqual(["In 1 hour", "In 3 hours", "This evening, 20:00", "Tomorrow, 09:00", "Monday, 09:00"]);
    expect(q.every((x) => x.at > now)).toBe(true);
    expect(new Date(q[4].at).getDay()).toBe(1);
    expect(fromLocalInput(toLocalInput(now))).toBe(now);
    expect(fromLocalInput("nonsense")).toBeNull();
  });
});

describe("EmojiPicker", () => {
  it("searches, applies the skin tone, remembers recents and shows the server's emojis and stickers", async () => {
    const user = userEvent.setup();
    setBackend(createMockBackend({ demo: true }));
    const picked: string[] = [];
    render(EmojiPicker, { serverId: "1", onpick: (e: string) => picked.push(e), onclose: () => undefined });
    await user.selectOptions(screen.getByTestId("emoji-tone"), "2");
    await user.type(screen.getByTestId("emoji-search"), "thumbs up");
    await user.click(await screen.findByRole("button", { name: "Thumbs Up" }));
    expect(picked).toEqual(["👍🏼"]);
    expect(recentEmojis()).toEqual(["👍🏼"]);
    await user.clear(screen.getByTestId("emoji-search"));
    await user.click(await screen.findByRole("tab", { name: "This server" }));
    expect(screen.getByRole("button", { name: ":party_parrot:" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Sticker wave" }));
    expect(picked.at(-1)).toBe(":wave:");
    await user.type(screen.getByTestId("emoji-search"), "zzzzqq");
    expect(await screen.findByText(/No emoji match/)).toBeInTheDocument();
  });
});

describe("ScheduledList", () => {
  it("shows both sides, edits, cancels and says when one went out late", async () => {
    const user = userEvent.setup();
    const mock = createMockBackend({ demo: true });
    setBackend(mock);
    const soon = Date.now() + 3_600_000;
    const mine = mock.rich.handlers.schedule_message({ channel_id: "10", content: "standup notes", scheduled_at: soon });
    mock.rich.addServerHeld("10", "from my phone", soon + 60_000);
    const late = mock.rich.handlers.schedule_message({ channel_id: "10", content: "good morning", scheduled_at: soon + 120_000 });
    mock.rich.sendLate(late.id);
    render(ScheduledList, { channelLabel: () => "#general", onclose: () => undefined });
    const rows = await screen.findAllByTestId("scheduled-item");
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining("Scheduled on this device"),
      expect.stringContaining("Scheduled on the server"),
      expect.stringContaining("Sent late"),
    ]);
    await user.click(within(rows[0]).getByRole("button", { name: "Edit" }));
    const box = within(rows[0]).getByLabelText("Message");
    await user.clear(box);
    await user.type(box, "standup notes v2");
    await user.click(within(rows[0]).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.getAllByTestId("scheduled-item")[0]).toHaveTextContent("standup notes v2"));
    await user.click(within(screen.getAllByTestId("scheduled-item")[1]).getByRole("button", { name: "Cancel message" }));
    await waitFor(() => expect(screen.getAllByTestId("scheduled-item")).toHaveLength(2));
    expect(mock.rich.handlers.list_scheduled().items.map((m) => m.id)).toEqual([mine.id, late.id]);
  });

  it("says there is nothing scheduled", async () => {
    setBackend(createMockBackend({ demo: true }));
    render(ScheduledList, { channelLabel: () => "#general", onclose: () => undefined });
    expect(await screen.findByTestId("scheduled-empty")).toBeInTheDocument();
  });
});

describe("in the chat", () => {
  it("schedules the composer's text from Send later and lists it", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp({ initialState: READY });
    await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(0));
    await user.type(screen.getByTestId("composer"), "remember the demo");
    await user.click(screen.getByTestId("open-send-later"));
    const dialog = await screen.findByTestId("schedule-dialog");
    await user.click(within(dialog).getByRole("button", { name: "In 1 hour" }));
    await waitFor(() => expect(screen.queryByTestId("schedule-dialog")).toBeNull());
    expect(screen.getByTestId("composer")).toHaveValue("");
    expect(mock.rich.handlers.list_scheduled().items[0]).toMatchObject({ content: "remember the demo", channel_id: "10", held_by: "device" });
    await user.click(screen.getByTestId("open-scheduled"));
    expect(await screen.findByText("remember the demo")).toBeInTheDocument();
  });

  it("asks for text before Send later", async () => {
    const user = userEvent.setup();
    renderApp({ initialState: READY });
    await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(0));
    await user.click(screen.getByTestId("open-send-later"));
    expect(await screen.findByTestId("composer-notice")).toHaveTextContent("Write the message first");
  });

  it("forwards a message to another channel as a quoted copy with a link back", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp({ initialState: READY });
    await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(0));
    const queued: string[] = [];
    mock.listen("outbox-update", (u) => {
      const x = u as { update: string; entry?: { item: { kind: string; content?: string } } };
      if (x.update === "queued" && x.entry?.item.kind === "text") queued.push(x.entry.item.content ?? "");
    });
    const first = screen.getAllByTestId("message")[0];
    await user.click(within(first).getByTestId("forward-message"));
    const dialog = await screen.findByTestId("forward-dialog");
    await user.type(within(dialog).getByTestId("forward-filter"), "random");
    await user.click(within(dialog).getByRole("radio", { name: /#random/ }));
    await user.click(within(dialog).getByTestId("forward-confirm"));
    await waitFor(() => expect(screen.queryByTestId("forward-dialog")).toBeNull());
    const content = queued.at(-1) ?? "";
    expect(mock.calls.find((c) => c.command === "forward_message")?.args).toMatchObject({ channel_id: "10", comment: "" });
    expect(content).toContain("↪ Forwarded from @");
    expect(content).toMatch(/\nplexichat:\/\/message\/10\/\d+$/);
    expect(content.split("\n")[1]).toMatch(/^> /);
  });

  it("autocompletes :shortcodes in the composer", async () => {
    const user = userEvent.setup();
    renderApp({ initialState: READY });
    await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(0));
    await user.type(screen.getByTestId("composer"), "nice :thumbsu");
    const list = await screen.findByTestId("emoji-suggestions");
    expect(within(list).getAllByRole("option")[0]).toHaveTextContent(":+1:");
    await user.keyboard("{Enter}");
    expect(screen.getByTestId("composer")).toHaveValue("nice 👍 ");
  });

  it("opens the picker from the composer and inserts the emoji", async () => {
    const user = userEvent.setup();
    renderApp({ initialState: READY });
    await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(0));
    await user.click(screen.getByTestId("open-emoji-picker"));
    await user.type(await screen.findByTestId("emoji-search"), "tada");
    await user.click(await screen.findByRole("button", { name: "Party Popper" }));
    expect(screen.getByTestId("composer")).toHaveValue("🎉");
    expect(screen.queryByTestId("emoji-picker")).toBeNull();
  });
});
