import { fireEvent, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "../../test/harness";
import { insertMention, matchMembers, mentionQuery, mentionsToDisplay, mentionsToWire } from "./autocomplete";
import { mentionsUser, parseIds } from "./mentions.svelte";
import type { Member } from "../types";

const READY = { state: "ready", user: { id: "1000", username: "demo", display_name: "Demo User", avatar_url: null } } as const;

async function startChat(options: Parameters<typeof renderApp>[0] = {}) {
  const r = renderApp({ initialState: READY, ...options });
  await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(0));
  return r;
}

const member = (user_id: string, username: string, nickname: string | null = null): Member => ({ user_id, username, nickname, avatar_url: null, presence_status: null, roles: [] });

describe("mention helpers", () => {
  it("finds the @word being typed, matches members by prefix and inserts <@id>", () => {
    expect(mentionQuery("hi @al", 6)).toEqual({ start: 3, query: "al" });
    expect(mentionQuery("mail@al", 7)).toBeNull();
    expect(mentionQuery("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionQuery("hi @al there", 12)).toBeNull();
    const members = [member("1000", "demo"), member("1001", "alice"), member("1002", "bob", "Albert"), member("1003", "sal")];
    expect(matchMembers(members, "al", "1000").map((m) => m.user_id)).toEqual(["1001", "1002", "1003"]);
    expect(matchMembers(members, "", "1000").map((m) => m.user_id)).toEqual(["1001", "1002", "1003"]);
    expect(insertMention("hi @al!", 3, 6, "alice")).toEqual({ text: "hi @alice !", caret: 10 });
  });

  it("the composer shows names and sends ids, leaving code, e-mail and strangers alone", () => {
    const members = [member("1001", "alice"), member("1002", "bob.b", "Bobby")];
    expect(mentionsToWire("@alice, ask @Bob.b. and @carol", members)).toBe("<@1001>, ask <@1002>. and @carol");
    expect(mentionsToWire("mail me@alice.example `@alice` ```\n@alice\n```", members)).toBe("mail me@alice.example `@alice` ```\n@alice\n```");
    expect(mentionsToDisplay("hi <@1001> and <@!1002> and <@999> `<@1001>`", members)).toBe("hi @alice and @bob.b and <@999> `<@1001>`");
    const typed = "thanks @alice - and @bob.b!";
    expect(mentionsToDisplay(mentionsToWire(typed, members), members)).toBe(typed);
  });

  it("a mention is the id in angle brackets; mute lists parse leniently", () => {
    expect(mentionsUser("hey <@1000>", "1000")).toBe(true);
    expect(mentionsUser("hey <@!1000>", "1000")).toBe(true);
    expect(mentionsUser("hey <@10001>", "1000")).toBe(false);
    expect(parseIds("10, 11,,x,12")).toEqual(["10", "11", "12"]);
    expect(parseIds(undefined)).toEqual([]);
  });
});

describe("mentions", () => {
  it("shows a mention badge apart from unread on the channel and the server, highlights the message and clears on open", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    const random = await waitFor(() => {
      const item = screen.getAllByTestId("channel-item").find((b) => b.textContent?.includes("random"));
      expect(within(item!).getByTestId("mention-badge")).toHaveTextContent("@1");
      return item!;
    });
    expect(random).toHaveAccessibleName(/random.*1 mention/);
    const hq = screen.getAllByTestId("server-item")[0];
    expect(within(hq).getByTestId("server-mention-badge")).toHaveTextContent(/@\d/);
    expect(hq).toHaveAccessibleDescription(/\d+ mentions?/);
    await user.click(random);
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("random"));
    const row = await waitFor(() => {
      const r = document.querySelector(".msg.mention");
      expect(r).not.toBeNull();
      return r as HTMLElement;
    });
    expect(row).toHaveAccessibleName(/mentions you/);
    // The chip names the user, not the raw id.
    expect(within(row).getByText("@Demo User")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId("mention-badge")).toBeNull());
    expect(mock.calls.some((c) => c.command === "mark_mentions_seen" && (c.args as { channel_id: string }).channel_id === "11")).toBe(true);
    // The tray's mention count went down by the one seen.
    const counts = mock.calls.filter((c) => c.command === "set_mention_count").map((c) => (c.args as { count: number }).count);
    await waitFor(() => expect(mock.calls.filter((c) => c.command === "set_mention_count").map((c) => (c.args as { count: number }).count).at(-1)).toBe(Math.max(...counts) - 1));
  });

  it("counts a live mention in another channel and lists it in the Mentions view, which jumps to it", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    mock.emit("chat-event", {
      type: "message_create", id: "9000001", channel_id: "12", author_id: "1002", author_username: "bob",
      content: "ping <@1000> about the release", created_at: Date.now(), edited_at: null, reply_to_id: null,
      attachments: [], reactions: [], pinned: false, poll: null,
    });
    const item = await waitFor(() => {
      const it = screen.getAllByTestId("channel-item").find((b) => b.textContent?.includes("announcements"));
      expect(within(it!).getByTestId("mention-badge")).toHaveTextContent("@1");
      return it!;
    });
    expect(item).toBeInTheDocument();
    await user.click(screen.getByTestId("open-mentions"));
    const panel = await screen.findByTestId("mentions-panel", {}, { timeout: 5000 });
    const entries = await within(panel).findAllByTestId("mention-item");
    const inRandom = entries.find((e) => e.textContent?.includes("mentioned you in #random"));
    expect(inRandom).toBeDefined();
    // Replies to the user's messages are listed too.
    expect(entries.some((e) => e.textContent?.includes("replied to you"))).toBe(true);
    await user.click(inRandom!);
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("random"));
    await waitFor(() => expect(document.querySelector(".msg.jumped")).not.toBeNull());
  });

  it("@ in the composer offers members as a listbox, navigable by keyboard, shows the name and sends <@id>", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    const composer = screen.getByTestId("composer");
    await user.click(composer);
    await user.type(composer, "hi @");
    const list = await screen.findByRole("listbox", { name: "Members to mention" });
    const options = within(list).getAllByRole("option");
    expect(options).toHaveLength(3);
    ["alice", "bob", "carol"].forEach((name, i) => expect(options[i]).toHaveTextContent(name));
    expect(options[0]).toHaveAttribute("aria-selected", "true");
    expect(composer).toHaveAttribute("aria-activedescendant", options[0].id);
    await user.type(composer, "b");
    expect(within(screen.getByRole("listbox")).getAllByRole("option")).toHaveLength(1);
    await user.keyboard("{Backspace}{ArrowDown}");
    expect(within(screen.getByRole("listbox")).getAllByRole("option")[1]).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Enter}");
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(composer).toHaveValue("hi @bob ");
    await user.type(composer, "@ca");
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("listbox")).toBeNull();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(mock.calls.find((c) => c.command === "queue_message")?.args?.content).toBe("hi <@1002> @ca"));
    // Editing it shows the name again.
    await waitFor(() => expect(screen.getAllByTestId("message").some((m) => m.textContent?.includes("@bob"))).toBe(true));
    await user.keyboard("{ArrowUp}");
    await waitFor(() => expect(composer).toHaveValue("hi @bob @ca"));
  });

  it("mutes a channel from its context menu, in the account's settings and for notifications", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    const general = screen.getAllByTestId("channel-item").find((b) => b.textContent?.includes("general"))!;
    await fireEvent.contextMenu(general);
    const toggle = await screen.findByTestId("mute-toggle", {}, { timeout: 5000 });
    expect(toggle).toHaveAttribute("role", "menuitemcheckbox");
    expect(toggle).toHaveAttribute("aria-checked", "false");
    expect(toggle).toHaveFocus();
    await user.click(toggle);
    await waitFor(() => expect(mock.calls.some((c) => c.command === "set_user_setting" && (c.args as { key: string; value: string }).key === "muted_channels" && (c.args as { value: string }).value === "10")).toBe(true));
    expect(mock.calls.filter((c) => c.command === "set_notification_mutes").at(-1)?.args).toEqual({ channel_ids: ["10"] });
    expect(general).toHaveAccessibleName(/general.*muted/);
    // The server's menu mutes all its channels.
    const hq = screen.getAllByTestId("server-item")[0];
    await fireEvent.contextMenu(hq);
    await user.click(await screen.findByTestId("mute-toggle", {}, { timeout: 5000 }));
    await waitFor(() => expect((mock.calls.filter((c) => c.command === "set_notification_mutes").at(-1)?.args as { channel_ids: string[] }).channel_ids).toEqual(expect.arrayContaining(["10", "11", "12"])));
  });
});

describe("saved messages", () => {
  it("saves from the message menu, lists it in Saved, jumps to it and removes it", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    const rows = screen.getAllByTestId("message");
    const last = rows.at(-1)!;
    const save = within(last).getByTestId("save-message");
    expect(save).toHaveAttribute("aria-pressed", "false");
    await user.click(save);
    await waitFor(() => expect(save).toHaveAttribute("aria-pressed", "true"));
    expect(mock.calls.find((c) => c.command === "save_message")?.args).toMatchObject({ channel_id: "10", message_id: last.dataset.messageId });
    await user.click(screen.getByTestId("open-saved"));
    const panel = await screen.findByTestId("saved-panel", {}, { timeout: 5000 });
    const items = await within(panel).findAllByTestId("saved-item");
    expect(items).toHaveLength(1);
    expect(items[0]).toHaveTextContent("#general · Plexichat HQ");
    await user.click(within(items[0]).getAllByRole("button")[0]);
    await waitFor(() => expect(document.querySelector(".msg.jumped")?.getAttribute("data-message-id")).toBe(last.dataset.messageId));
    // A note: written, saved on the server (upsert), shown on the item; a failure keeps the text.
    await user.click(within(items[0]).getByRole("button", { name: "Add note" }));
    const noteInput = within(items[0]).getByLabelText("Note for this saved message");
    expect(noteInput).toHaveFocus();
    await user.type(noteInput, "recipe for later");
    mock.failNext("save_message", { code: "failed", message: "offline", state: { state: "offline", since: Date.now() } } as never);
    await user.click(within(items[0]).getByRole("button", { name: "Save" }));
    expect(await within(items[0]).findByRole("alert")).toHaveTextContent("The note was not saved");
    expect(noteInput).toHaveValue("recipe for later");
    await user.click(within(items[0]).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(within(items[0]).queryByLabelText("Note for this saved message")).toBeNull());
    expect(items[0]).toHaveTextContent("recipe for later");
    expect(mock.calls.filter((c) => c.command === "save_message").at(-1)?.args).toMatchObject({ message_id: last.dataset.messageId, label: "recipe for later" });
    expect(within(items[0]).getByRole("button", { name: "Edit note" })).toHaveAttribute("aria-expanded", "false");
    await user.click(within(items[0]).getByRole("button", { name: "Remove from saved" }));
    expect(await within(panel).findByText(/Nothing saved yet/)).toBeInTheDocument();
    await waitFor(() => expect(within(screen.getAllByTestId("message").at(-1)!).getByTestId("save-message")).toHaveAttribute("aria-pressed", "false"));
  });

  it("says plainly when saved messages cannot be loaded offline, and tries again", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    mock.failNext("list_saved", { code: "failed", message: "offline", state: { state: "offline", since: Date.now() } } as never);
    await user.click(screen.getByTestId("open-saved"));
    const status = await screen.findByTestId("saved-status", {}, { timeout: 5000 });
    await waitFor(() => expect(status).toHaveTextContent("You're offline"));
    await user.click(within(status).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(status).toHaveTextContent("Nothing saved yet"));
  });
});
