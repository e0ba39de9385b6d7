//! The mock backend's saved messages (bookmarks) and mentions, for component tests and
//! `npm run dev`: the reference's rules (upsert on save, 200 on a repeated unsave) in memory,
//! and mentions found in the mock's messages the way the core's store finds them.

import type { Message } from "../bindings/Message";
import type { MentionEntry } from "../bindings/MentionEntry";
import type { SavedMessage } from "../bindings/SavedMessage";
import type { Bookmark } from "../bindings/Bookmark";

/** In-memory bookmarks and mention badges over the mock's messages. */
export function createMockSaved(meId: () => string, messages: Map<string, Message[]>, serverOf: (channelId: string) => string | null) {
  const bookmarks: Bookmark[] = [];
  const seen = new Set<string>();
  let nextId = 800_000;
  let muted: string[] = [];

  function find(channelId: string, id: string): Message | null {
    return messages.get(channelId)?.find((m) => m.id === id) ?? null;
  }

  function mentionList(): MentionEntry[] {
    const me = meId();
    const out: MentionEntry[] = [];
    for (const [channel_id, list] of messages) {
      for (const m of list) {
        if (m.author_id === me) continue;
        const isMention = m.content.includes(`<@${me}>`);
        const isReply = !isMention && m.reply_to_id !== null && list.some((p) => p.id === m.reply_to_id && p.author_id === me);
        if (isMention || isReply) out.push({ kind: isMention ? "mention" : "reply", channel_id, server_id: serverOf(channel_id), message: m, seen: seen.has(m.id) });
      }
    }
    return out.sort((a, b) => b.message.id.length - a.message.id.length || (a.message.id < b.message.id ? 1 : -1));
  }

  return {
    /** Channels the UI last said are muted. */
    muted: () => muted,
    handlers: {
      list_saved: (): SavedMessage[] =>
        [...bookmarks].reverse().map((bookmark) => ({ bookmark, message: find(bookmark.conversation_id, bookmark.message_id) })),
      save_message: (a: { channel_id: string; message_id: string; label: string | null }): Bookmark => {
        const old = bookmarks.find((b) => b.message_id === a.message_id);
        if (old) {
          old.label = a.label;
          return old;
        }
        const b: Bookmark = { id: String(nextId++), message_id: a.message_id, conversation_id: a.channel_id, label: a.label, created_at: Date.now() };
        bookmarks.push(b);
        return b;
      },
      unsave_message: (a: { message_id: string }) => {
        const i = bookmarks.findIndex((b) => b.message_id === a.message_id);
        if (i >= 0) bookmarks.splice(i, 1);
        return null;
      },
      list_mentions: (): MentionEntry[] => mentionList(),
      mention_counts: (): Record<string, number> => {
        const out: Record<string, number> = {};
        for (const e of mentionList()) if (!e.seen) out[e.channel_id] = (out[e.channel_id] ?? 0) + 1;
        return out;
      },
      mark_mentions_seen: (a: { channel_id: string }) => {
        for (const e of mentionList()) if (e.channel_id === a.channel_id) seen.add(e.message.id);
        return null;
      },
      set_notification_mutes: (a: { channel_ids: string[] }) => {
        muted = [...a.channel_ids];
        return null;
      },
      set_mention_count: () => null,
    },
  };
}
