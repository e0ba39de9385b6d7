//! The message list's layout, incremental: a row is laid out again only when its message or
//! the one before it changed. Loading 10,000 messages 50 at a time otherwise re-created every
//! row (and two Dates per row) for every page: millions of short-lived objects, which is what
//! grew the web process's JavaScript heap.

import { layoutMessages, type MessageRowModel } from "./grouping";
import type { Message } from "../types";

/** Returns a function that lays out like `layoutMessages`, reusing unchanged rows. */
export function createRowLayout(): (messages: Message[]) => MessageRowModel[] {
  // Keyed by the message object: messages are replaced, never mutated, so an edit misses.
  const cache = new WeakMap<Message, { prev: Message | null; row: MessageRowModel }>();
  return (messages) => {
    const out: MessageRowModel[] = new Array(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      const prev = i > 0 ? messages[i - 1] : null;
      const hit = cache.get(m);
      if (hit && hit.prev === prev) {
        out[i] = hit.row;
        continue;
      }
      const row = layoutMessages(prev ? [prev, m] : [m])[prev ? 1 : 0];
      cache.set(m, { prev, row });
      out[i] = row;
    }
    return out;
  };
}
