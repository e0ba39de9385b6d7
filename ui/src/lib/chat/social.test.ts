import { screen, waitFor, within, fireEvent } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "../../test/harness";

const READY = { state: "ready", user: { id: "1000", username: "demo", display_name: "Demo User", avatar_url: null } } as const;

async function startChat(options: Parameters<typeof renderApp>[0] = {}) {
  const r = renderApp({ initialState: READY, ...options });
  await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(0));
  return r;
}

describe("friends", () => {
  it("accepts a pending request", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    await user.click(screen.getByRole("button", { name: /Direct messages and friends/ }));
    await user.click(await screen.findByRole("tab", { name: /Pending/ }));
    const carol = screen.getAllByTestId("relationship").find((r) => r.textContent?.includes("carol"))!;
    expect(carol).toHaveTextContent("Incoming friend request");
    await user.click(within(carol).getByRole("button", { name: "Accept" }));
    expect(mock.calls.find((c) => c.command === "accept_friend_request")?.args).toEqual({ user_id: "1003" });
    await user.click(screen.getByRole("tab", { name: "All" }));
    await waitFor(() => expect(screen.getAllByTestId("relationship").map((r) => r.textContent)).toEqual(expect.arrayContaining([expect.stringContaining("carol")])));
  });

  it("adds a friend by name and says when the user does not exist", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    await user.click(screen.getByRole("button", { name: /Direct messages and friends/ }));
    await user.click(await screen.findByRole("tab", { name: "Add friend" }));
    await user.type(screen.getByLabelText("Add a friend by username"), "nobody");
    await user.click(screen.getByRole("button", { name: "Send friend request" }));
    expect(await screen.findByRole("status")).toHaveTextContent("No user with that name exists.");
    await user.clear(screen.getByLabelText("Add a friend by username"));
    await user.type(screen.getByLabelText("Add a friend by username"), "bob");
    await user.click(screen.getByRole("button", { name: "Send friend request" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Friend request sent to bob.");
    expect(mock.calls.find((c) => c.command === "send_friend_request")?.args).toEqual({ username: "bob" });
  });

  it("starts a DM from the friends list", async () => {
    const user = userEvent.setup();
    await startChat();
    await user.click(screen.getByRole("button", { name: /Direct messages and friends/ }));
    await user.click(await screen.findByRole("tab", { name: "All" }));
    await user.click(within(screen.getAllByTestId("relationship")[0]).getByRole("button", { name: "Message" }));
    expect(await screen.findByRole("heading", { level: 1 })).toHaveTextContent("alice");
    expect(screen.getByTestId("composer")).toHaveAttribute("placeholder", "Message @alice");
  });

  it("blocks a user", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    await user.click(screen.getByRole("button", { name: /Direct messages and friends/ }));
    await user.click(await screen.findByRole("tab", { name: "All" }));
    await user.click(within(screen.getAllByTestId("relationship")[0]).getByRole("button", { name: "Block" }));
    await user.click(screen.getByRole("tab", { name: "Blocked" }));
    await waitFor(() => expect(screen.getAllByTestId("relationship")[0]).toHaveTextContent("alice"));
    expect(mock.calls.some((c) => c.command === "block_user")).toBe(true);
  });
});

describe("settings", () => {
  it("revokes another session and signs out", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    await user.click(screen.getByRole("button", { name: "Settings" }));
    await user.click(screen.getByRole("tab", { name: "Sessions" }));
    const sessions = await screen.findAllByTestId("session");
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toHaveTextContent("This device");
    expect(within(sessions[0]).queryByRole("button", { name: "Revoke" })).toBeNull();
    await user.click(within(sessions[1]).getByRole("button", { name: "Revoke" }));
    await waitFor(() => expect(screen.getAllByTestId("session")).toHaveLength(1));
    expect(mock.calls.find((c) => c.command === "end_session")?.args).toEqual({ session_id: "s2" });
    await user.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByTestId("login-screen")).toBeInTheDocument();
  });

  it("saves the user name and presence", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    await user.click(screen.getByRole("button", { name: "Settings" }));
    await user.clear(screen.getByLabelText("User name"));
    await user.type(screen.getByLabelText("User name"), "neo");
    await user.selectOptions(screen.getByLabelText("Status"), "dnd");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Saved.")).toBeInTheDocument();
    expect(mock.calls.find((c) => c.command === "update_profile")?.args).toEqual({ username: "neo" });
    expect(mock.calls.find((c) => c.command === "set_presence")?.args).toEqual({ status: "dnd", custom_status: null });
  });

  it("a taken user name is shown as an error and nothing is saved", async () => {
    const user = userEvent.setup();
    await startChat();
    await user.click(screen.getByRole("button", { name: "Settings" }));
    await user.clear(screen.getByLabelText("User name"));
    await user.type(screen.getByLabelText("User name"), "alice");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Username already taken")).toBeInTheDocument();
    expect(screen.queryByText("Saved.")).not.toBeInTheDocument();
  });

  it("switches the theme", async () => {
    const user = userEvent.setup();
    await startChat();
    await user.click(screen.getByRole("button", { name: "Settings" }));
    await user.click(screen.getByRole("tab", { name: "Appearance" }));
    await user.click(screen.getByLabelText("Dark"));
    expect(document.documentElement.dataset.theme).toBe("dark");
    await user.click(screen.getByLabelText("Follow the system"));
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });
});

describe("history", () => {
  it("loads older messages when scrolled to the top", async () => {
    const { mock } = await startChat({ generalMessages: 120 });
    const scroller = screen.getByTestId("message-scroller");
    scroller.scrollTop = 0;
    await fireEvent.scroll(scroller);
    await waitFor(() => expect(mock.calls.filter((c) => c.command === "load_messages" && c.args?.before != null)).toHaveLength(1));
  });

  it("lists pinned messages", async () => {
    const user = userEvent.setup();
    await startChat();
    await user.click(screen.getByRole("button", { name: "Pins" }));
    const panel = screen.getByTestId("pinned-panel");
    expect(within(panel).getAllByRole("article")).toHaveLength(1);
    expect(panel).toHaveTextContent("Yes, reconnect works after sleep now.");
  });
});

describe("pending sends from an earlier run", () => {
  it("are shown in their channel, and Delete removes them from the core's outbox", async () => {
    const user = userEvent.setup();
    const pendingOutbox = [
      { local_id: 7, channel_id: "10", item: { kind: "text" as const, content: "typed before the crash" }, state: { state: "queued" as const }, created_at: 1 },
      {
        local_id: 8,
        channel_id: "10",
        item: { kind: "text" as const, content: "a -- b" },
        state: { state: "failed" as const, reason: { state: "content_rejected" as const, message: "Internal server error" } },
        created_at: 2,
      },
    ];
    const { mock } = await startChat({ pendingOutbox });
    const rows = await screen.findAllByTestId("pending-message");
    expect(rows.map((r) => r.textContent)).toEqual([expect.stringContaining("typed before the crash"), expect.stringContaining("a -- b")]);
    expect(rows[1]).toHaveAttribute("data-status", "failed");
    expect(rows[1]).toHaveTextContent("refused this message's content");
    await user.click(within(rows[1]).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.getAllByTestId("pending-message")).toHaveLength(1));
    expect(mock.calls.find((c) => c.command === "cancel_send")?.args).toEqual({ local_id: 8 });
  });

  it("a failed one is retried in the core by Retry and shows as a message once delivered", async () => {
    const user = userEvent.setup();
    const pendingOutbox = [
      {
        local_id: 4,
        channel_id: "10",
        item: { kind: "text" as const, content: "sent after all" },
        state: { state: "failed" as const, reason: { state: "invalid_input" as const, field: "content", message: "Message too long" } },
        created_at: 1,
      },
    ];
    const { mock } = await startChat({ pendingOutbox });
    const row = await screen.findByTestId("pending-message");
    expect(row).toHaveAttribute("data-status", "failed");
    expect(row).toHaveTextContent("Not sent: Message too long");
    await user.click(within(row).getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(screen.queryByTestId("pending-message")).toBeNull());
    expect(screen.getAllByTestId("message-content").at(-1)).toHaveTextContent("sent after all");
    expect(mock.calls.find((c) => c.command === "retry_send")?.args).toEqual({ local_id: 4 });
    expect(mock.calls.some((c) => c.command === "queue_message")).toBe(false);
  });

  it("a failed send's Edit cancels it in the core and puts the text back in the composer", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    mock.failNextSend({ state: "content_rejected", message: "Internal server error" });
    await user.type(screen.getByTestId("composer"), "a -- b{Enter}");
    const row = await screen.findByTestId("pending-message");
    await waitFor(() => expect(row).toHaveAttribute("data-status", "failed"));
    expect(mock.outbox()).toHaveLength(1);
    await user.click(within(row).getByRole("button", { name: "Edit" }));
    expect(screen.getByTestId("composer")).toHaveValue("a -- b");
    expect(screen.queryByTestId("pending-message")).toBeNull();
    await waitFor(() => expect(mock.outbox()).toHaveLength(0));
  });
});
