import { screen, within, waitFor, fireEvent } from "@testing-library/svelte";
import { renderApp } from "../../test/harness";
import { firstUnread } from "./divider";
import type { ChannelUnread } from "../bindings/ChannelUnread";
import type { Message } from "../types";

const READY = { state: "ready", user: { id: "1000", username: "demo", display_name: "Demo User", avatar_url: null } } as const;

function msg(id: string, author = "1001"): Message {
  return { id, channel_id: "c", author_id: author, author_username: null, content: id, created_at: 1, edited_at: null, reply_to_id: null, attachments: [], reactions: [], pinned: false };
}

function entry(over: Partial<ChannelUnread>): ChannelUnread {
  return { channel_id: "c", unread: 0, last_read_id: null, is_manual: false, changed_at: 0, ...over };
}

describe("the New messages divider", () => {
  const list = [msg("1"), msg("2", "1000"), msg("3"), msg("4", "1000"), msg("5")];

  it("sits after the last-read message, skipping our own", () => {
    expect(firstUnread(list, entry({ unread: 2, last_read_id: "2" }), "1000")).toEqual({ channelId: "c", messageId: "3", count: 2 });
    expect(firstUnread(list, entry({ unread: 0, last_read_id: "5" }), "1000")).toBeNull();
    expect(firstUnread(list, undefined, "1000")).toBeNull();
  });

  it("counts back from the newest when only the server's count is known", () => {
    expect(firstUnread(list, entry({ unread: 2 }), "1000")?.messageId).toBe("3");
    expect(firstUnread(list, entry({ unread: 99 }), "1000")).toEqual({ channelId: "c", messageId: "1", count: 99 });
  });

  it("starts at the marked message after Mark as unread, even our own", () => {
    expect(firstUnread(list, entry({ unread: 1, last_read_id: "3", is_manual: true }), "1000")?.messageId).toBe("4");
  });
});

describe("unread badges and the divider", () => {
  const seeded: ChannelUnread[] = [
    { channel_id: "10", unread: 3, last_read_id: null, is_manual: false, changed_at: 1 },
    { channel_id: "11", unread: 5, last_read_id: null, is_manual: false, changed_at: 1 },
  ];

  async function start() {
    const r = renderApp({ initialState: READY, unread: seeded });
    await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(0));
    return r;
  }

  it("shows the kept counts on channels and servers, and the divider with Jump to first unread", async () => {
    const { mock } = await start();
    await waitFor(() => expect(screen.getByTestId("new-messages-divider")).toBeInTheDocument());
    expect(screen.getByTestId("unread-bar")).toHaveTextContent("3 new messages");
    const channels = within(screen.getByTestId("channel-list")).getAllByTestId("channel-item");
    const random = channels.find((c) => c.textContent?.includes("random"));
    expect(random).toHaveTextContent("5");
    expect(random?.textContent).toContain("5 unread");
    const badge = screen.getAllByTestId("unread-badge")[0];
    expect(badge).toHaveTextContent("5");
    fireEvent.click(screen.getByTestId("jump-first-unread"));
    await waitFor(() => expect(screen.getByTestId("message-list").querySelector(".jumped")).not.toBeNull());
    // The core's counts replace the badges.
    mock.emit("unread-update", [{ channel_id: "11", unread: 7, last_read_id: null, is_manual: false, changed_at: 2 }]);
    await waitFor(() => expect(screen.getAllByTestId("unread-badge")[0]).toHaveTextContent("7"));
    expect(mock.calls.some((c) => c.command === "set_viewing_channel")).toBe(true);
  });

  it("marks a server read and a message unread", async () => {
    const { mock } = await start();
    fireEvent.click(await screen.findByTestId("mark-server-read"));
    await waitFor(() => expect(screen.queryAllByTestId("unread-badge")).toHaveLength(0));
    expect(mock.calls.find((c) => c.command === "mark_server_read")?.args).toEqual({ server_id: "1" });
    const rows = screen.getAllByTestId("message");
    const last = rows[rows.length - 1];
    fireEvent.click(within(last).getByTestId("mark-unread"));
    await waitFor(() => expect(mock.calls.some((c) => c.command === "mark_unread")).toBe(true));
    await waitFor(() => expect(screen.getByTestId("unread-bar")).toHaveTextContent("1 new message"));
  });
});
