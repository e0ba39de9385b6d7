//! Where a message was said, for the Mentions and Saved lists.

import { channelName, type ChatState } from "../state/chat.svelte";

/** "#general · Plexichat HQ", "@bob" for a DM, or a plain phrase when the channel is unknown. */
export function whereOf(chat: ChatState, channelId: string): string {
  const dm = chat.dms.find((c) => c.id === channelId);
  if (dm) return `@${channelName(dm)}`;
  for (const s of chat.servers) {
    const c = chat.channelsByServer[s.id]?.find((x) => x.id === channelId);
    if (c) return `#${channelName(c)} · ${s.name}`;
  }
  return "a channel not in your lists";
}
