//! Where the "New messages" divider goes: before the first message from someone else after the
//! last-read point. The core keeps the last-read message when it knows it; a count taken from
//! the server carries none, and then the divider counts back that many messages from others.

import type { ChannelUnread } from "../bindings/ChannelUnread";
import type { Message } from "../types";

/** Orders snowflake ids numerically (strings of different lengths). */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The divider of a channel about to be read: its first unread message and how many there are. */
export type Divider = { channelId: string; messageId: string; count: number };

/**
 * The first unread message of `messages` (ascending) for `entry`, or `null` when nothing is
 * unread. Only messages from others count; when the last-read message is unknown the divider
 * counts back `entry.unread` of them (fewer when not that many are loaded).
 */
export function firstUnread(messages: Message[], entry: ChannelUnread | undefined, meId: string): Divider | null {
  if (!entry || (entry.unread <= 0 && !entry.is_manual)) return null;
  const fromOthers = messages.filter((m) => m.author_id !== meId);
  let first: Message | undefined;
  if (entry.last_read_id) {
    const lastRead = entry.last_read_id;
    first = entry.is_manual
      ? messages.find((m) => compareIds(m.id, lastRead) > 0)
      : fromOthers.find((m) => compareIds(m.id, lastRead) > 0);
  } else if (entry.unread > 0) {
    first = fromOthers[Math.max(0, fromOthers.length - entry.unread)];
  }
  if (!first) return null;
  const count = Math.max(entry.unread, fromOthers.filter((m) => compareIds(m.id, first.id) >= 0).length);
  return { channelId: first.channel_id, messageId: first.id, count };
}

/** Unread counts by channel from the core's list (what the badges and the tray show). */
export function countsOf(list: ChannelUnread[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of list) if (e.unread > 0) out[e.channel_id] = e.unread;
  return out;
}
