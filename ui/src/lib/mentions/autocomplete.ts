//! `@` autocomplete in the composer: find the `@word` being typed, match server members, and
//! replace it with the `<@id>` the server and every client understand.

import type { Member } from "../types";

/** Most suggestions shown at once. */
export const MAX_SUGGESTIONS = 8;

/** The `@query` ending at `caret`, if the user is typing one. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([\p{L}\p{N}_.-]{0,32})$/u.exec(before);
  if (!m) return null;
  return { start: caret - m[2].length - 1, query: m[2] };
}

/** Members whose user name or nickname starts with `query` (then contains it), case ignored. */
export function matchMembers(members: Member[], query: string, meId: string, limit = MAX_SUGGESTIONS): Member[] {
  const q = query.toLowerCase();
  const names = (m: Member) => [m.username, m.nickname ?? ""].map((n) => n.toLowerCase());
  const others = members.filter((m) => m.user_id !== meId);
  const starts = others.filter((m) => names(m).some((n) => n.startsWith(q)));
  const contains = q ? others.filter((m) => !starts.includes(m) && names(m).some((n) => n.includes(q))) : [];
  return [...starts, ...contains].slice(0, limit);
}

/** `text` with the `@query` at `start..caret` replaced by `<@id> `, and where the caret goes. */
export function insertMention(text: string, start: number, caret: number, userId: string): { text: string; caret: number } {
  const token = `<@${userId}> `;
  return { text: text.slice(0, start) + token + text.slice(caret), caret: start + token.length };
}
