import { render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import Avatar from "../components/Avatar.svelte";
import { createMockBackend } from "../mock-backend";
import { setBackend } from "../ipc";
import { avatars } from "./avatars.svelte";

const PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

describe("avatars", () => {
  it("draws an initial for a user without an uploaded avatar, asking the core once", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    const { container } = render(Avatar, { props: { name: "zoe", userId: "u-none" } });
    render(Avatar, { props: { name: "zoe", userId: "u-none" } });
    await waitFor(() => expect(mock.calls.filter((c) => c.command === "fetch_avatar")).toHaveLength(1));
    expect(container.querySelector("img")).toBeNull();
    expect(container.textContent).toContain("Z");
  });

  it("shows the image the core fetched, and a new one at once after it is set", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    await mock.invoke("set_avatar", { data_base64: PIXEL });
    const { container } = render(Avatar, { props: { name: "demo", userId: mock.me.id } });
    await waitFor(() => expect(container.querySelector("img")?.getAttribute("src")).toMatch(/^data:image\/png;base64,/));
    avatars.set(mock.me.id, null);
    await waitFor(() => expect(container.querySelector("img")).toBeNull());
  });

  it("never shows a remote or script URL even if one came back", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    avatars.set("u-evil", "javascript:alert(1)");
    const { container } = render(Avatar, { props: { name: "eve", userId: "u-evil" } });
    expect(container.querySelector("img")).toBeNull();
    expect(screen.queryByRole("img")).toBeNull();
  });
});
