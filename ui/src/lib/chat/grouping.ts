//! Which messages start a new visual group (author change, a gap, a new day, a reply) and
//! where date separators go.

import { isSameDay } from "../format";
import type { Message } from "../types";

/** Messages closer than this, by the same author, share one header. */
export const GROUP_GAP_MS = 7 * 60_000;

/** One message with its layout decisions. */
export type MessageRowModel = { m: Message; isGroupStart: boolean; showDate: boolean };

/** Lays out an ascending list of messages. */
export function layoutMessages(messages: Message[]): MessageRowModel[] {
  const out: MessageRowModel[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const prev = i > 0 ? messages[i - 1] : null;
    const showDate = !prev || !isSameDay(prev.created_at, m.created_at);
    const isGroupStart =
      showDate || !prev || prev.author_id !== m.author_id || m.created_at - prev.created_at > GROUP_GAP_MS || m.reply_to_id !== null;
    out[i] = { m, isGroupStart, showDate };
  }
  return out;
}
