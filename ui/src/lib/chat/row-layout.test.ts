// The incremental layout gives the same rows as laying out from scratch, and reuses rows whose
// message and predecessor did not change.
import { createRowLayout } from "./row-layout";
import { GROUP_GAP_MS, layoutMessages } from "./grouping";
import type { Message } from "../types";

const DAY = 24 * 3600_000;

function m(id: number, author: string, at: number, content = "x"): Message {
  return { id: String(id), channel_id: "10", author_id: author, author_username: null, content, created_at: at, edited_at: null, reply_to_id: null, attachments: [], reactions: [], pinned: false };
}

describe("createRowLayout", () => {
  const t0 = new Date(2025, 2, 3, 12).getTime();
  const newer = [m(10, "a", t0), m(11, "a", t0 + 60_000), m(12, "b", t0 + 120_000)];
  const older = [m(7, "b", t0 - DAY), m(8, "a", t0 - DAY + 60_000), m(9, "a", t0 - GROUP_GAP_MS - 1)];

  it("matches a full layout as pages are prepended, messages appended and edited", () => {
    const layout = createRowLayout();
    let list = newer;
    expect(layout(list)).toEqual(layoutMessages(list));
    list = [...older, ...list];
    expect(layout(list)).toEqual(layoutMessages(list));
    list = [...list, m(13, "b", t0 + 180_000)];
    expect(layout(list)).toEqual(layoutMessages(list));
    list = list.map((x) => (x.id === "10" ? { ...x, reply_to_id: "8" } : x));
    expect(layout(list)).toEqual(layoutMessages(list));
  });

  it("reuses the rows an older page did not touch", () => {
    const layout = createRowLayout();
    const first = layout(newer);
    const second = layout([...older, ...newer]);
    // Message 10 now follows 9: laid out again. 11 and 12 are the same rows as before.
    expect(second[4]).toBe(first[1]);
    expect(second[5]).toBe(first[2]);
    expect(second[3]).not.toBe(first[0]);
  });
});
