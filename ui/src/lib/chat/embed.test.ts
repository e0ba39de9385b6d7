import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "../../test/harness";
import { setBackend } from "../ipc";
import { createMockBackend } from "../mock-backend";
import EmbedView, { clearEmbedImages } from "./EmbedView.svelte";
import type { Embed } from "../bindings/Embed";
import type { Message } from "../types";

const EMBED: Embed = {
  url: "https://news.example/story",
  title: "A <b>story</b>",
  description: "<img src=x onerror=alert(1)> told in text",
  site_name: "Example News",
  image_url: "https://cdn.example/story.png",
  image_width: 800,
  image_height: 400,
};

function show(embed: Embed) {
  const mock = createMockBackend();
  setBackend(mock);
  const r = render(EmbedView, { props: { embed } });
  return { mock, ...r };
}

describe("EmbedView", () => {
  beforeEach(() => {
    localStorage.clear();
    clearEmbedImages();
  });

  it("shows site, title and description as text and the image the core fetched in a box sized up front", async () => {
    const { mock, container } = show(EMBED);
    const card = screen.getByTestId("embed");
    expect(card).toHaveTextContent("Example News");
    expect(screen.getByTestId("embed-title")).toHaveTextContent("A <b>story</b>");
    expect(card).toHaveTextContent("<img src=x onerror=alert(1)> told in text");
    expect(container.querySelector("b")).toBeNull();
    // The box has the image's shape (800×400 scaled to 400 wide) before the image arrives.
    const box = screen.getByTestId("embed-image");
    expect(box.style.width).toBe("400px");
    expect(box.style.height).toBe("200px");
    const img = await within(box).findByRole("img", { name: "Preview: A <b>story</b>" });
    expect(img.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
    expect(mock.calls.filter((c) => c.command === "fetch_embed_image").map((c) => c.args)).toEqual([{ url: EMBED.image_url }]);
  });

  it("opens the title's link through the core after the confirm, never in the webview", async () => {
    const user = userEvent.setup();
    const { mock } = show(EMBED);
    const title = screen.getByTestId("embed-title");
    expect(title.tagName).toBe("A");
    await user.click(title);
    await screen.findByTestId("link-confirm");
    expect(mock.calls.some((c) => c.command === "open_link")).toBe(false);
    await user.click(screen.getByTestId("link-confirm-open"));
    await waitFor(() => expect(mock.calls.find((c) => c.command === "open_link")?.args).toEqual({ url: EMBED.url }));
  });

  it("hides an image the core refuses and links nothing that is not http(s)", async () => {
    const { mock } = show({ ...EMBED, url: "javascript:alert(1)", image_url: "https://cdn.example/logo.svg", image_width: null, image_height: null });
    await waitFor(() => expect(mock.calls.some((c) => c.command === "fetch_embed_image")).toBe(true));
    await waitFor(() => expect(screen.queryByTestId("embed-image")).toBeNull());
    const title = screen.getByTestId("embed-title");
    expect(title.tagName).not.toBe("A");
    expect(screen.queryByRole("link")).toBeNull();
  });
});

describe("a message with embeds", () => {
  it("shows its card under the text, and a message without embeds shows none", async () => {
    const { mock } = renderApp({ initialState: { state: "ready", user: { id: "1000", username: "demo", display_name: "Demo User", avatar_url: null } } });
    await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(0));
    expect(screen.queryByTestId("embed")).toBeNull();
    const m: Message & { type: "message_create" } = {
      type: "message_create",
      id: "9999990",
      channel_id: "10",
      author_id: "1001",
      author_username: "alice",
      content: "look at this https://news.example/story",
      created_at: Date.now(),
      edited_at: null,
      reply_to_id: null,
      attachments: [],
      reactions: [],
      pinned: false,
      embeds: [EMBED],
    };
    mock.emit("chat-event", m);
    const card = await screen.findByTestId("embed");
    const row = card.closest("[data-testid=message]") as HTMLElement;
    expect(within(row).getByTestId("message-content")).toHaveTextContent("look at this");
    await within(card).findByRole("img");
  });
});
