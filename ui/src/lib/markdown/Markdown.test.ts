import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { setBackend } from "../ipc";
import { createMockBackend } from "../mock-backend";
import Markdown from "./Markdown.svelte";
import { trustedHosts } from "./links";

describe("Markdown", () => {
  beforeEach(() => localStorage.clear());

  async function show(text: string, props: Record<string, unknown> = {}) {
    const mock = createMockBackend();
    setBackend(mock);
    const r = render(Markdown, { text, ...props });
    await waitFor(() => expect(r.container.querySelector("[data-testid=markdown]")).not.toBeNull());
    return { mock, ...r };
  }

  it("shows formatting, mention chips from the resolver and a highlighted code block", async () => {
    const { container } = await show("**bold** hi <@42>\n```js\nconst x = 1;\n```", { resolveUser: (id: string) => (id === "42" ? "alice" : null) });
    expect(container.querySelector("strong")).toHaveTextContent("bold");
    expect(container.querySelector(".mention")).toHaveTextContent("@alice");
    // The grammars load lazily, then the block is coloured.
    await waitFor(() => expect(container.querySelector("pre code .hljs-keyword")).toHaveTextContent("const"));
  });

  it("reveals a spoiler on click and with the keyboard", async () => {
    const user = userEvent.setup();
    const { container } = await show("a ||one|| b ||two||");
    const [one, two] = [...container.querySelectorAll<HTMLElement>(".spoiler")];
    expect(one).toHaveAttribute("aria-expanded", "false");
    await user.click(one);
    expect(one).toHaveClass("revealed");
    expect(one).not.toHaveAttribute("role");
    two.focus();
    await user.keyboard("{Enter}");
    expect(two).toHaveClass("revealed");
  });

  it("asks before opening a link to an untrusted host, then opens it through the core", async () => {
    const user = userEvent.setup();
    const { mock, container } = await show("see https://example.com/page");
    await user.click(container.querySelector("a")!);
    const dialog = await screen.findByTestId("link-confirm");
    expect(screen.getByTestId("link-confirm-url")).toHaveTextContent("https://example.com/page");
    expect(mock.calls.some((c) => c.command === "open_link")).toBe(false);
    await user.click(screen.getByRole("checkbox"));
    await user.click(screen.getByTestId("link-confirm-open"));
    await waitFor(() => expect(mock.calls.find((c) => c.command === "open_link")?.args).toEqual({ url: "https://example.com/page" }));
    expect(dialog).not.toBeInTheDocument();
    expect(trustedHosts().has("example.com")).toBe(true);
    // Trusted now: the next click opens at once.
    await user.click(container.querySelector("a")!);
    await waitFor(() => expect(mock.calls.filter((c) => c.command === "open_link")).toHaveLength(2));
    expect(screen.queryByTestId("link-confirm")).toBeNull();
  });

  it("opens nothing when the user cancels", async () => {
    const user = userEvent.setup();
    const { mock, container } = await show("https://evil.example/x");
    await user.click(container.querySelector("a")!);
    await screen.findByTestId("link-confirm");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("link-confirm")).toBeNull());
    expect(mock.calls.some((c) => c.command === "open_link")).toBe(false);
  });

  it("re-renders when the text changes (an edit)", async () => {
    const { container, rerender } = await show("before");
    await rerender({ text: "**after**" });
    expect(container.querySelector("strong")).toHaveTextContent("after");
  });
});
