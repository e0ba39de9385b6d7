import { screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "./harness";

const READY = { state: "ready", user: { id: "1000", username: "demo", display_name: null, avatar_url: null } } as const;

describe("keyboard and screen readers", () => {
  it("the login form is usable with the keyboard alone", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp();
    await screen.findByTestId("login-screen");
    await user.tab();
    expect(screen.getByLabelText("Server")).toHaveFocus();
    await user.tab();
    expect(screen.getByLabelText("Username or e-mail")).toHaveFocus();
    await user.keyboard("demo");
    await user.tab();
    await user.keyboard("pw{Enter}");
    expect(mock.calls.some((c) => c.command === "sign_in")).toBe(true);
  });

  it("arrow keys move between servers and between channels", async () => {
    const user = userEvent.setup();
    renderApp({ initialState: READY });
    const servers = await screen.findAllByTestId("server-item");
    servers[0].focus();
    await user.keyboard("{ArrowDown}");
    expect(servers[1]).toHaveFocus();
    const channels = await screen.findAllByTestId("channel-item");
    channels[0].focus();
    await user.keyboard("{ArrowDown}");
    expect(channels[1]).toHaveFocus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("random"));
  });

  it("the update dialog holds focus and cannot be escaped", async () => {
    const user = userEvent.setup();
    renderApp({ initialState: { state: "update_required", client_version: "a", min_version: "b", server_version: "c", update_url: "https://x.test" } });
    const d = await screen.findByTestId("state-update_required");
    await waitFor(() => expect(within(d).getByTestId("download-update")).toHaveFocus());
    await user.tab();
    expect(within(d).getByTestId("download-update")).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("state-update_required")).toBeInTheDocument();
  });

  it("settings closes with Escape and gives focus back", async () => {
    const user = userEvent.setup();
    renderApp({ initialState: READY });
    const gear = await screen.findByRole("button", { name: "Settings" });
    await user.click(gear);
    expect(screen.getByTestId("settings")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("settings")).toBeNull();
    expect(gear).toHaveFocus();
  });

  it("every banner is an alert", async () => {
    const { mock } = renderApp({ initialState: READY });
    await screen.findByTestId("state-ready");
    mock.setUiState({ state: "reconnecting", attempt: 1, next_at: Date.now() + 2000 });
    expect(await screen.findByRole("alert")).toHaveTextContent("Reconnecting");
  });

  it("arrow keys walk the messages and Tab reaches a message's actions", async () => {
    const user = userEvent.setup();
    renderApp({ initialState: READY });
    await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(2));
    screen.getByTestId("message-scroller").focus();
    await user.keyboard("{ArrowUp}");
    const rows = screen.getAllByTestId("message");
    expect(rows.at(-1)).toHaveFocus();
    await user.keyboard("{ArrowUp}");
    expect(rows.at(-2)).toHaveFocus();
    await user.tab();
    expect(within(rows.at(-2)!).getByRole("button", { name: "Add reaction" })).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("composer")).toHaveFocus();
  });
});
