import { render, screen, within, waitFor, fireEvent } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "../../test/harness";
import VirtualListHarness from "../../test/VirtualListHarness.svelte";
import type { Message } from "../types";

const READY = { state: "ready", user: { id: "1000", username: "demo", display_name: "Demo User", avatar_url: null } } as const;

async function startChat(options: Parameters<typeof renderApp>[0] = {}) {
  const r = renderApp({ initialState: READY, ...options });
  await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(0));
  return r;
}

function incoming(over: Partial<Message>): Message & { type: "message_create" } {
  return {
    type: "message_create",
    id: String(9_000_000 + Math.floor(Math.random() * 1_000_000)),
    channel_id: "10",
    author_id: "1001",
    author_username: "alice",
    content: "hello",
    created_at: Date.now(),
    edited_at: null,
    reply_to_id: null,
    attachments: [],
    reactions: [],
    pinned: false,
    ...over,
  };
}

describe("chat", () => {
  afterEach(() => vi.useRealTimers());

  it("shows servers, channels and the open channel's messages", async () => {
    await startChat();
    expect(screen.getAllByTestId("server-item")).toHaveLength(2);
    const channels = within(screen.getByTestId("channel-list")).getAllByTestId("channel-item");
    expect(channels.map((c) => c.textContent?.replace(/\s+/g, ""))).toEqual(["#general", "#random", "#announcements"]);
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("general");
    expect(screen.getByTestId("message-list")).toHaveTextContent("Screenshot of the reconnect banner:");
  });

  it("sends with Enter, keeps Shift+Enter as a new line, and clears the composer", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    const box = screen.getByTestId("composer");
    await user.type(box, "line one{Shift>}{Enter}{/Shift}line two");
    expect(box).toHaveValue("line one\nline two");
    expect(mock.calls.some((c) => c.command === "queue_message")).toBe(false);
    await user.keyboard("{Enter}");
    expect(mock.calls.find((c) => c.command === "queue_message")?.args).toEqual({ channel_id: "10", content: "line one\nline two", reply_to_id: null });
    await waitFor(() => expect(box).toHaveValue(""));
    const last = screen.getAllByTestId("message-content").at(-1);
    expect(last?.textContent).toBe("line one\nline two");
  });

  it("signals typing while the user types", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    await user.type(screen.getByTestId("composer"), "hey");
    // Throttled: several keystrokes, one signal.
    expect(mock.calls.filter((c) => c.command === "send_typing")).toHaveLength(1);
  });

  it("shows who is typing", async () => {
    const { mock } = await startChat();
    mock.emit("chat-event", { type: "typing_start", channel_id: "10", user_id: "1001", username: "alice" });
    expect(await screen.findByText("alice is typing…")).toBeInTheDocument();
    mock.emit("chat-event", incoming({ content: "done typing" }));
    await waitFor(() => expect(screen.getByTestId("typing-indicator")).toHaveTextContent(""));
  });

  it("a rate-limited send counts down on that message, keeps the text and completes by itself", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const { mock } = await startChat();
    mock.rateLimitNextSend(3000);
    await user.type(screen.getByTestId("composer"), "limited text{Enter}");
    const pending = await screen.findByTestId("pending-message");
    expect(pending).toHaveTextContent("limited text");
    expect(pending).toHaveTextContent(/Sending in [23] s…/);
    // The per-message countdown replaces a banner for a limit on this one action.
    expect(screen.queryByTestId("state-rate_limited")).toBeNull();
    vi.advanceTimersByTime(3500);
    await waitFor(() => expect(screen.queryByTestId("pending-message")).toBeNull());
    expect(screen.getAllByTestId("message-content").at(-1)).toHaveTextContent("limited text");
  });

  it("renders message content as text, never as HTML", async () => {
    const { mock } = await startChat();
    const evil = "<img src=x onerror=alert(1)>";
    mock.emit("chat-event", incoming({ content: evil }));
    await waitFor(() => expect(screen.getAllByTestId("message-content").at(-1)?.textContent).toBe(evil));
    expect(screen.getByTestId("message-list").querySelector('img[src="x"]')).toBeNull();
  });

  it("never turns a script URL from the server into a link or an image", async () => {
    const { mock } = await startChat();
    mock.emit(
      "chat-event",
      incoming({ id: "9999994", content: "file", attachments: [{ id: "1", filename: "x.png", content_type: "image/png", size: 1, url: "javascript:alert(1)" }] }),
    );
    const row = await waitFor(() => {
      const el = document.querySelector('[data-message-id="9999994"]');
      expect(el).not.toBeNull();
      return el!;
    });
    expect(row).toHaveTextContent("x.png");
    expect(row.querySelector('[href^="javascript"], [src^="javascript"]')).toBeNull();
  });

  it("↑ in an empty composer edits the last own message", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    const box = screen.getByTestId("composer");
    await user.type(box, "first try{Enter}");
    await waitFor(() => expect(box).toHaveValue(""));
    await user.keyboard("{ArrowUp}");
    expect(box).toHaveValue("first try");
    expect(screen.getByText("Editing message")).toBeInTheDocument();
    await user.clear(box);
    await user.type(box, "second try{Enter}");
    const edit = mock.calls.find((c) => c.command === "edit_message");
    expect(edit?.args).toMatchObject({ channel_id: "10", content: "second try" });
    await waitFor(() => expect(screen.getAllByTestId("message-content").at(-1)).toHaveTextContent(/^second try\s*\(edited\)$/));
  });

  it("an edit made offline shows at once, and a later refusal puts the server's text back", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    const box = screen.getByTestId("composer");
    await user.type(box, "first try{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("message-content").at(-1)).toHaveTextContent("first try"));
    await user.keyboard("{ArrowUp}");
    await user.clear(box);
    // The core answers null: the edit waits in its outbox.
    mock.resolveNext("edit_message", null);
    await user.type(box, "second try{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("message-content").at(-1)).toHaveTextContent(/^second try\s*\(edited\)$/));
    expect(box).toHaveValue("");
    // Back online, the server refuses it: the message shows what the server has.
    const loads = mock.calls.filter((c) => c.command === "load_messages").length;
    mock.emit("outbox-update", { update: "queued", entry: { local_id: 77, channel_id: "10", item: { kind: "edit", message_id: "x", content: "second try" }, state: { state: "queued" }, created_at: 0 } });
    mock.emit("outbox-update", { update: "failed", local_id: 77, state: { state: "forbidden", reason: "missing_permission", message: "Missing required permission" } });
    await waitFor(() => expect(mock.calls.filter((c) => c.command === "load_messages").length).toBe(loads + 1));
    await waitFor(() => expect(screen.getAllByTestId("message-content").at(-1)).toHaveTextContent(/^first try$/));
    expect(await screen.findByTestId("inline-notice")).toHaveTextContent("You don't have permission");
  });

  it("a delete queued while offline takes the message off the screen at once", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    const box = screen.getByTestId("composer");
    await user.type(box, "regrettable{Enter}");
    const row = await waitFor(() => screen.getAllByTestId("message").find((m) => m.textContent?.includes("regrettable"))!);
    // Answered without side effects: the mock's server keeps it and sends no delete event.
    mock.resolveNext("delete_message", null);
    await user.click(within(row).getByRole("button", { name: "Delete" }));
    await user.click(within(within(row).getByRole("alertdialog")).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByText("regrettable")).toBeNull());
  });

  it("a file refused before it is queued says why", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    mock.failNext("queue_file", { code: "failed", message: "refused", state: { state: "invalid_input", field: "file", message: "File too large (10 MiB at most)" } });
    const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
    await user.upload(input, new File(["x"], "huge.bin"));
    expect(await screen.findByTestId("inline-notice")).toHaveTextContent("File too large (10 MiB at most)");
    expect(screen.queryByTestId("upload")).toBeNull();
  });

  it("replies to a message", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    const target = screen.getAllByTestId("message").at(-1)!;
    await user.click(within(target).getByRole("button", { name: "Reply" }));
    expect(screen.getByText(/Replying to/)).toBeInTheDocument();
    await user.type(screen.getByTestId("composer"), "agreed{Enter}");
    expect(mock.calls.find((c) => c.command === "queue_message")?.args).toMatchObject({ reply_to_id: target.dataset.messageId });
  });

  it("says 'You can't message this user' on the composer and keeps the text", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    mock.failNextSend({ state: "forbidden", reason: "cannot_message_user", message: "Cannot message this user" });
    await user.type(screen.getByTestId("composer"), "are you there?{Enter}");
    expect(await screen.findByTestId("composer-notice")).toHaveTextContent("You can't message this user.");
    const pending = screen.getByTestId("pending-message");
    expect(pending).toHaveTextContent("are you there?");
    await user.click(within(pending).getByRole("button", { name: "Edit" }));
    expect(screen.getByTestId("composer")).toHaveValue("are you there?");
  });

  it("drops a channel that no longer exists and says so", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    mock.failNext("load_messages", { code: "failed", message: "Channel not found", state: { state: "not_found", entity: "channel", message: "Channel not found" } });
    await user.click(screen.getByRole("button", { name: /^# ?random$/ }));
    expect(await screen.findByTestId("inline-notice")).toHaveTextContent("This channel no longer exists.");
    const names = within(screen.getByTestId("channel-list")).getAllByTestId("channel-item").map((c) => c.textContent?.replace(/\s+/g, ""));
    expect(names).not.toContain("#random");
    expect(names).toContain("#general");
  });

  it("says 'You don't have permission' for a refused action", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    mock.failNext("pin_message", { code: "failed", message: "Permission denied", state: { state: "forbidden", reason: "permission_denied", message: "Permission denied" } });
    const msg = screen.getAllByTestId("message")[0];
    await user.click(within(msg).getByRole("button", { name: "Pin" }));
    expect(await screen.findByTestId("inline-notice")).toHaveTextContent("You don't have permission to do that.");
  });

  it("removes a deleted message, and a vanished one with a notice", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    const list = screen.getByTestId("message-list");
    const byId = (id: string | undefined) => list.querySelector(`[data-message-id="${id}"]`);
    const first = screen.getAllByTestId("message").at(-1)!;
    const firstId = first.dataset.messageId;
    mock.emit("chat-event", { type: "message_delete", id: firstId, channel_id: "10", server_id: "1" });
    await waitFor(() => expect(byId(firstId)).toBeNull());
    const other = screen.getAllByTestId("message").at(-1)!;
    const otherId = other.dataset.messageId;
    mock.failNext("add_reaction", { code: "failed", message: "Message not found", state: { state: "not_found", entity: "message", message: "Message not found" } });
    await user.click(within(other).getByRole("button", { name: "Add reaction" }));
    await user.click(screen.getByRole("button", { name: "👍" }));
    expect(await screen.findByTestId("inline-notice")).toHaveTextContent("This message no longer exists.");
    await waitFor(() => expect(byId(otherId)).toBeNull());
  });

  it("toggles a reaction", async () => {
    const user = userEvent.setup();
    await startChat();
    const msg = screen.getAllByTestId("message").find((m) => within(m).queryByRole("button", { name: /👍 2/ }))!;
    await user.click(within(msg).getByRole("button", { name: /👍 2/ }));
    expect(await within(msg).findByRole("button", { name: /👍 3/ })).toHaveAttribute("aria-pressed", "true");
  });

  it("counts unread messages on other channels and servers", async () => {
    const { mock } = await startChat();
    mock.emit("chat-event", incoming({ channel_id: "11", content: "psst" }));
    mock.emit("chat-event", incoming({ channel_id: "20", content: "over here" }));
    expect(await screen.findByRole("button", { name: /^# ?random ?, 1 unread$/ })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Rustaceans, 1 unread" })).toBeInTheDocument();
  });

  it("announces new messages politely in the open channel only, rate-limited", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { mock } = await startChat();
    const live = screen.getByTestId("announcer");
    expect(live).toHaveAttribute("aria-live", "polite");
    mock.emit("chat-event", incoming({ channel_id: "11", content: "elsewhere" }));
    mock.emit("chat-event", incoming({ content: "one" }));
    await waitFor(() => expect(live).toHaveTextContent("alice: one"));
    mock.emit("chat-event", incoming({ content: "two" }));
    mock.emit("chat-event", incoming({ content: "three" }));
    // Held back: still the first announcement until the interval passes.
    expect(live).toHaveTextContent("alice: one");
    vi.advanceTimersByTime(2100);
    await waitFor(() => expect(live).toHaveTextContent("2 new messages in general"));
    expect(live).not.toHaveTextContent("elsewhere");
  });

  it("a picked file is read by the page and queued with its bytes, then shows as a message", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
    await user.upload(input, new File(["hello file"], "notes.txt", { type: "text/plain" }));
    await waitFor(() => expect(mock.calls.find((c) => c.command === "queue_file")?.args).toEqual({ channel_id: "10", filename: "notes.txt", data_base64: btoa("hello file") }));
    await waitFor(() => expect(screen.getAllByTestId("message").at(-1)).toHaveTextContent("notes.txt"));
    expect(screen.queryByTestId("upload")).toBeNull();
  });

  it("shows a file as being prepared until the core holds it", async () => {
    const user = userEvent.setup();
    await startChat({ simulateUploads: false });
    const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
    await user.upload(input, new File(["x"], "cat.png", { type: "image/png" }));
    const up = await screen.findByTestId("upload");
    expect(up).toHaveTextContent("cat.png");
    expect(within(up).getByRole("progressbar", { name: "Preparing cat.png" })).toBeInTheDocument();
  });

  it("a file the server refuses stays as a red row with Retry and Delete, and Retry sends it", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    mock.failNextSend({ state: "invalid_input", field: "file", message: "File type not allowed" });
    const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
    await user.upload(input, new File(["x"], "cat.png", { type: "image/png" }));
    const row = await screen.findByTestId("pending-message");
    await waitFor(() => expect(row).toHaveAttribute("data-status", "failed"));
    expect(row).toHaveTextContent("cat.png");
    expect(row).toHaveTextContent("Not sent: File type not allowed");
    expect(within(row).queryByRole("button", { name: "Edit" })).toBeNull();
    await user.click(within(row).getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(screen.queryByTestId("pending-message")).toBeNull());
    expect(screen.getAllByTestId("message").at(-1)).toHaveTextContent("cat.png");
  });

  it("a file dropped on the composer is queued with its bytes", async () => {
    const { mock } = await startChat();
    const group = screen.getByRole("group", { name: "Message composer" });
    await fireEvent.drop(group, { dataTransfer: { files: [new File(["y"], "notes.txt")] } });
    await waitFor(() => expect(mock.calls.find((c) => c.command === "queue_file")?.args).toEqual({ channel_id: "10", filename: "notes.txt", data_base64: btoa("y") }));
  });

  it("highlights messages that mention the user", async () => {
    const { mock } = await startChat();
    mock.emit("chat-event", incoming({ id: "9999991", content: "hey @demo, look" }));
    mock.emit("chat-event", incoming({ id: "9999992", content: "hey @demolition" }));
    await waitFor(() => expect(document.querySelector('[data-message-id="9999991"]')).toHaveClass("mention"));
    expect(document.querySelector('[data-message-id="9999992"]')).not.toHaveClass("mention");
  });

  it("counts messages as unread while the window is unfocused and clears them on focus", async () => {
    const { mock } = await startChat();
    window.dispatchEvent(new Event("blur"));
    mock.emit("chat-event", incoming({ id: "9999993", content: "while away" }));
    expect(await screen.findByRole("button", { name: /^# ?general ?, 1 unread$/ })).toBeInTheDocument();
    expect(screen.getByTestId("announcer")).not.toHaveTextContent("while away");
    window.dispatchEvent(new Event("focus"));
    expect(await screen.findByRole("button", { name: /^# ?general$/ })).toBeInTheDocument();
    expect(mock.calls.filter((c) => c.command === "ack_message").at(-1)?.args).toEqual({ channel_id: "10", message_id: "9999993" });
  });

  it("a new gateway session refreshes the lists but keeps the open channel", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    await user.click(screen.getByRole("button", { name: /^# ?random$/ }));
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("random"));
    mock.emit("chat-event", { type: "ready", user: mock.me, servers: [] });
    await waitFor(() => expect(mock.calls.filter((c) => c.command === "list_servers")).toHaveLength(2));
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("random");
  });

  it("shows channels under collapsible categories", async () => {
    const user = userEvent.setup();
    await startChat();
    await user.click(screen.getByRole("button", { name: "Rustaceans" }));
    const category = await screen.findByRole("button", { name: /Support/ });
    expect(category).toHaveAttribute("aria-expanded", "true");
    expect(await screen.findByRole("button", { name: /^# ?help$/ })).toBeInTheDocument();
    await user.click(category);
    expect(category).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByRole("button", { name: /^# ?help$/ })).toBeNull();
  });

  it("shows members with presence", async () => {
    await startChat();
    const list = screen.getByTestId("member-list");
    expect(list).toHaveTextContent("Online — 3");
    expect(list).toHaveTextContent("Offline — 1");
  });
});

describe("virtual message list", () => {
  it("renders only a window of 10,000 rows and moves it on scroll", async () => {
    render(VirtualListHarness, { count: 10_000 });
    const rows = screen.getAllByTestId("row");
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(100);
    const scroller = screen.getByTestId("scroller");
    scroller.scrollTop = 56 * 5000;
    await fireEvent.scroll(scroller);
    await waitFor(() => expect(screen.getAllByTestId("row").some((r) => r.textContent === "Row 5000")).toBe(true));
    expect(screen.getAllByTestId("row").length).toBeLessThan(100);
  });

  it("follows the newest row, and offers a jump back after scrolling up", async () => {
    const user = userEvent.setup();
    render(VirtualListHarness, { count: 10_000 });
    expect(screen.getAllByTestId("row").at(-1)).toHaveTextContent("Row 9999");
    expect(screen.queryByRole("button", { name: /Jump to present/ })).toBeNull();
    const scroller = screen.getByTestId("scroller");
    scroller.scrollTop = 1000;
    await fireEvent.scroll(scroller);
    await user.click(await screen.findByRole("button", { name: /Jump to present/ }));
    await waitFor(() => expect(screen.getAllByTestId("row").at(-1)).toHaveTextContent("Row 9999"));
    expect(screen.queryByRole("button", { name: /Jump to present/ })).toBeNull();
  });
});
