import { screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "../../test/harness";

const READY = { state: "ready", user: { id: "1000", username: "demo", display_name: "Demo User", avatar_url: null } } as const;

async function freshAccount() {
  const r = renderApp({ initialState: READY, noServers: true });
  await screen.findByTestId("welcome");
  return r;
}

async function joinWith(code: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("Invite code or link"), code);
  await user.click(screen.getByTestId("welcome-join"));
  return user;
}

describe("first run", () => {
  it("welcomes an account with no servers and joins by a pasted link after a preview", async () => {
    const { mock } = await freshAccount();
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Welcome, Demo User!");
    const user = await joinWith("plexichat://invite/RustMeetup01");
    const preview = await screen.findByTestId("invite-preview");
    expect(preview).toHaveTextContent("A Plexichat server");
    expect(preview).toHaveTextContent("Invited by alice");
    expect(preview).toHaveTextContent("2 of 10 uses");
    expect(preview).toHaveTextContent(/Expires in 23 hours/);
    await user.click(screen.getByTestId("join-server"));
    await waitFor(() => expect(screen.queryByTestId("add-server-dialog")).not.toBeInTheDocument());
    expect(mock.calls.find((c) => c.command === "join_invite")?.args).toEqual({ invite: "plexichat://invite/RustMeetup01" });
    expect(screen.getByRole("button", { name: "Rust Meetup" })).toHaveAttribute("aria-current", "page");
    expect(screen.queryByTestId("welcome")).not.toBeInTheDocument();
    expect(await screen.findByRole("heading", { level: 1 })).toHaveTextContent("general");
  });

  it.each([
    ["Expired00001", "expired", "This invite has expired"],
    ["UsedUp000001", "used_up", "This invite has been used up"],
    ["NoSuchCode12", "unknown", "This invite doesn't exist"],
  ])("shows a designed refusal for %s, never an outage", async (code, reason, title) => {
    await freshAccount();
    await joinWith(code);
    const card = await screen.findByTestId("invite-refused");
    expect(card).toHaveAttribute("data-reason", reason);
    expect(card).toHaveTextContent(title);
    expect(screen.queryByTestId("join-server")).not.toBeInTheDocument();
    expect(screen.queryByTestId("state-server_error")).not.toBeInTheDocument();
  });

  it("says when the server refuses the join itself (banned)", async () => {
    const { mock } = await freshAccount();
    const user = await joinWith("Banned000001");
    await user.click(await screen.findByTestId("join-server"));
    const card = await screen.findByTestId("invite-refused");
    expect(card).toHaveTextContent("You are banned from this server");
    expect(mock.calls.filter((c) => c.command === "join_invite")).toHaveLength(1);
  });

  it("keeps the field open with its error when the text is not an invite", async () => {
    await freshAccount();
    await joinWith("not an invite!");
    expect(await screen.findByText("That is not an invite code or link.")).toBeInTheDocument();
    expect(within(screen.getByTestId("add-server-dialog")).getByLabelText("Invite code or link")).toHaveAttribute("aria-invalid", "true");
  });

  it("creates a server from the welcome screen and opens it", async () => {
    const user = userEvent.setup();
    const { mock } = await freshAccount();
    await user.click(screen.getByTestId("welcome-create"));
    await user.click(screen.getByTestId("create-server"));
    expect(screen.getByText("A server name has 2 to 100 characters.")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Server name"), "Book Club");
    await user.click(screen.getByTestId("create-server"));
    await waitFor(() => expect(screen.queryByTestId("add-server-dialog")).not.toBeInTheDocument());
    expect(mock.calls.find((c) => c.command === "create_server")?.args).toEqual({ name: "Book Club", description: null });
    expect(screen.getByRole("button", { name: "Book Club" })).toHaveAttribute("aria-current", "page");
  });
});

describe("server rail", () => {
  it("always ends with a + that offers joining and creating", async () => {
    const user = userEvent.setup();
    renderApp({ initialState: READY });
    await waitFor(() => expect(screen.getAllByTestId("server-item").length).toBe(2));
    const rail = screen.getByTestId("server-rail");
    const buttons = within(rail).getAllByRole("button");
    expect(buttons.at(-1)).toHaveAccessibleName("Add a server: join or create");
    await user.click(buttons.at(-1)!);
    await user.click(await screen.findByTestId("choose-join"));
    await user.type(screen.getByLabelText("Invite code or link"), "PlexiHQinv01");
    await user.click(screen.getByTestId("invite-continue"));
    const card = await screen.findByTestId("invite-refused");
    expect(card).toHaveAttribute("data-reason", "already_member");
    await user.click(screen.getByRole("button", { name: "Open Plexichat HQ" }));
    expect(screen.getByRole("button", { name: "Plexichat HQ" })).toHaveAttribute("aria-current", "page");
  });
});

describe("invites", () => {
  it("makes an invite with expiry and uses, shows its link, lists and revokes", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp({ initialState: READY });
    await user.click(await screen.findByTestId("invite-people"));
    const dialog = await screen.findByTestId("invite-dialog");
    await user.selectOptions(within(dialog).getByTestId("invite-expiry"), "1 hour");
    await user.selectOptions(within(dialog).getByTestId("invite-max-uses"), "5 uses");
    await user.click(within(dialog).getByTestId("invite-create"));
    const link = await within(dialog).findByTestId("invite-link");
    expect((link as HTMLInputElement).value).toMatch(/^plexichat:\/\/invite\/Mock\d+$/);
    expect(mock.calls.find((c) => c.command === "create_invite")?.args).toEqual({ channel_id: "10", settings: { max_age: 3600, max_uses: 5 } });
    const rows = within(dialog).getAllByTestId("invite-row");
    expect(rows[0]).toHaveTextContent("0 of 5 uses");
    const code = (link as HTMLInputElement).value.split("/").at(-1)!;
    await user.click(within(dialog).getByRole("button", { name: `Revoke invite ${code}` }));
    await waitFor(() => expect(within(dialog).queryByText(code)).not.toBeInTheDocument());
    expect(mock.calls.find((c) => c.command === "revoke_invite")?.args).toEqual({ invite: code });
  });

  it("hides the invite list from members without invites.manage", async () => {
    const user = userEvent.setup();
    renderApp({ initialState: READY });
    await waitFor(() => expect(screen.getAllByTestId("server-item").length).toBe(2));
    await user.click(screen.getByRole("button", { name: "Rustaceans" }));
    await user.click(await screen.findByTestId("invite-people"));
    const dialog = await screen.findByTestId("invite-dialog");
    expect(within(dialog).getByTestId("invite-create")).toBeInTheDocument();
    expect(within(dialog).queryByText("Active invites")).not.toBeInTheDocument();
  });
});
