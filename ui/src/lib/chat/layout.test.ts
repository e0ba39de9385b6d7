import { layoutMessages, GROUP_GAP_MS } from "./grouping";
import { prefixOffsets, rowAt, visibleRange } from "./virtual-window";
import type { Message } from "../types";

function msg(id: number, author: string, at: number, extra: Partial<Message> = {}): Message {
  return { id: String(id), channel_id: "1", author_id: author, author_username: author, content: "x", created_at: at, edited_at: null, reply_to_id: null, attachments: [], reactions: [], pinned: false, ...extra };
}

describe("message grouping", () => {
  const day1 = new Date(2025, 2, 3, 10, 0).getTime();
  const day2 = new Date(2025, 2, 4, 9, 0).getTime();

  it("groups one author's close messages under one header and separates days", () => {
    const rows = layoutMessages([
      msg(1, "a", day1),
      msg(2, "a", day1 + 60_000),
      msg(3, "b", day1 + 120_000),
      msg(4, "b", day1 + 120_000 + GROUP_GAP_MS + 1),
      msg(5, "b", day2),
      msg(6, "b", day2 + 1000, { reply_to_id: "5" }),
    ]);
    expect(rows.map((r) => r.isGroupStart)).toEqual([true, false, true, true, true, true]);
    expect(rows.map((r) => r.showDate)).toEqual([true, false, false, false, true, false]);
  });
});

describe("virtual window math", () => {
  const offsets = prefixOffsets(10_000, (i) => (i % 2 === 0 ? 40 : 60));

  it("sums heights", () => {
    expect(offsets[0]).toBe(0);
    expect(offsets[2]).toBe(100);
    expect(offsets[10_000]).toBe(500_000);
  });

  it("finds the row under a pixel", () => {
    expect(rowAt(offsets, 0)).toBe(0);
    expect(rowAt(offsets, 39)).toBe(0);
    expect(rowAt(offsets, 40)).toBe(1);
    expect(rowAt(offsets, 250_000)).toBe(5000);
    expect(rowAt(offsets, 10_000_000)).toBe(9999);
  });

  it("renders only the rows in view plus overscan", () => {
    const [start, end] = visibleRange(offsets, 250_000, 600, 5);
    expect(start).toBe(4995);
    expect(end - start).toBeLessThan(30);
    expect(visibleRange(prefixOffsets(0, () => 1), 0, 600, 5)).toEqual([0, 0]);
  });
});
