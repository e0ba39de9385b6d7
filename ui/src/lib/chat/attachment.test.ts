import { render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import AttachmentView from "./AttachmentView.svelte";
import { createMockBackend } from "../mock-backend";
import { setBackend } from "../ipc";
import type { Attachment } from "../types";

const image: Attachment = { id: "9", filename: "cat.png", content_type: "image/webp", size: 68, url: "/api/v1/media/attachments/abc.png" };

describe("AttachmentView", () => {
  it("previews an image from bytes the core fetched, never from the server URL", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    render(AttachmentView, { props: { attachment: image } });
    const img = await screen.findByRole("img", { name: "cat.png" });
    expect(img.getAttribute("src")).toMatch(/^data:image\/webp;base64,/);
    expect(mock.calls.find((c) => c.command === "fetch_attachment")?.args).toEqual({ url: image.url, content_type: "image/webp" });
  });

  it("shows no preview for other files, and says so when a download fails", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    mock.failNext("fetch_attachment", { code: "failed", message: "Message not found", state: null });
    render(AttachmentView, { props: { attachment: { ...image, filename: "notes.txt", content_type: "text/plain" } } });
    expect(screen.queryByRole("img")).not.toBeInTheDocument();
    screen.getByRole("button", { name: "Download" }).click();
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("Couldn't load this file."));
  });
});
