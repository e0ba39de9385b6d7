import { screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "../../test/harness";

const READY = { state: "ready", user: { id: "1000", username: "demo", display_name: "Demo User", avatar_url: null } } as const;

async function startChat(options: Parameters<typeof renderApp>[0] = {}) {
  const r = renderApp({ initialState: READY, ...options });
  await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(0));
  return r;
}

describe("search", () => {
  it("Ctrl+F finds messages on this device, says quietly that the server's search failed, and opens a result at its message", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    await user.keyboard("{Control>}f{/Control}");
    const input = await screen.findByTestId("search-input");
    expect(input).toHaveFocus();
    await user.type(input, "TRIED");
    const results = await screen.findAllByTestId("search-result", {}, { timeout: 5000 });
    expect(screen.getByTestId("search-local-note")).toHaveTextContent("come from messages on this device");
    // Every result holds the word, marked.
    for (const r of results) expect(within(r).getByText(/tried/i, { selector: "mark" })).toBeInTheDocument();
    const inRandom = results.find((r) => r.textContent?.includes("#random"));
    expect(inRandom).toBeDefined();
    await user.click(inRandom!);
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("random"));
    const jumped = await waitFor(() => {
      const row = document.querySelector(".msg.jumped");
      expect(row).not.toBeNull();
      return row as HTMLElement;
    });
    expect(jumped).toHaveTextContent("Has anyone tried the new build?");
    expect(mock.calls.filter((c) => c.command === "search_messages").at(-1)?.args).toMatchObject({ text: "TRIED", has_file: false });
  });

  it("filters by author and file, and scopes to the open channel", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    await user.click(screen.getByTestId("open-search"));
    await user.click(await screen.findByLabelText("Has a file"));
    const results = await screen.findAllByTestId("search-result", {}, { timeout: 5000 });
    for (const r of results) expect(r).toHaveTextContent("banner.png");
    await user.selectOptions(screen.getByLabelText("In"), "This channel");
    await waitFor(() => expect(mock.calls.filter((c) => c.command === "search_messages").at(-1)?.args).toMatchObject({ channel_id: "10", has_file: true }));
    await waitFor(() => expect(screen.getAllByTestId("search-result")).toHaveLength(1));
    await user.type(screen.getByLabelText("From"), "nobody");
    expect(await screen.findByText("No messages found.", {}, { timeout: 5000 })).toBeInTheDocument();
  });

  it("jumps to a result older than what is loaded by paging back", async () => {
    const user = userEvent.setup();
    await startChat({ generalMessages: 400 });
    await user.keyboard("{Control>}f{/Control}");
    await user.selectOptions(await screen.findByLabelText("In"), "This channel");
    await user.type(screen.getByTestId("search-input"), "release");
    const results = await screen.findAllByTestId("search-result", {}, { timeout: 5000 });
    // The oldest one is pages before the newest 50.
    await user.click(results.at(-1)!);
    await waitFor(() => expect(document.querySelector(".msg.jumped")).not.toBeNull(), { timeout: 5000 });
  });

  it("Ctrl+K opens a channel of another server by a few letters", async () => {
    const user = userEvent.setup();
    await startChat();
    await user.keyboard("{Control>}k{/Control}");
    const input = await screen.findByTestId("switcher-input");
    await user.type(input, "hlp");
    const options = screen.getAllByTestId("switcher-option");
    expect(options[0]).toHaveTextContent("help");
    expect(options[0]).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("help"));
    expect(screen.queryByTestId("quick-switcher")).toBeNull();
    expect(screen.getByRole("button", { name: "Rustaceans" })).toHaveAttribute("aria-current", "page");
  });

  it("the quick switcher finds DMs with @ and says when nothing matches", async () => {
    const user = userEvent.setup();
    await startChat();
    await user.keyboard("{Control>}k{/Control}");
    const input = await screen.findByTestId("switcher-input");
    await user.type(input, "@");
    const options = screen.getAllByTestId("switcher-option");
    expect(options.every((o) => o.textContent?.includes("Direct message"))).toBe(true);
    await user.type(input, "zzzz");
    expect(screen.getByText(/Nothing matches/)).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("quick-switcher")).toBeNull();
  });
});
