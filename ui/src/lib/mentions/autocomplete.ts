//! `@` autocomplete in the composer: find the `@word` being typed, match server members, and
//! put `@name` in the text. The composer shows names; what is sent carries the `<@id>` the
//! server and every client understand (`mentionsToWire`), and an edited message's `<@id>`s
//! come back as names (`mentionsToDisplay`).

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

/** `text` with the `@query` at `start..caret` replaced by `@username `, and where the caret goes. */
export function insertMention(text: string, start: number, caret: number, username: string): { text: string; caret: number } {
  const token = `@${username} `;
  return { text: text.slice(0, start) + token + text.slice(caret), caret: start + token.length };
}

/** Code spans and blocks, where `@name` and `<@id>` are literal text and stay as typed. */
const CODE_RE = /(```[\s\S]*?```|`[^`\n]*`)/;

/** Applies `f` to the parts of `text` outside code. */
function outsideCode(text: string, f: (part: string) => string): string {
  return text
    .split(CODE_RE)
    .map((part, i) => (i % 2 === 1 ? part : f(part)))
    .join("");
}

/**
 * The text as sent: each `@name` that is a member's user name (case ignored; trailing `.` or
 * `-` is punctuation, not part of the name) becomes `<@id>`. Other `@words` stay text.
 */
export function mentionsToWire(text: string, members: Member[]): string {
  const byName = new Map(members.map((m) => [m.username.toLowerCase(), m.user_id]));
  return outsideCode(text, (part) =>
    part.replace(/(^|\s)@([\p{L}\p{N}_.-]{1,32})/gu, (all, lead: string, word: string) => {
      const name = word.replace(/[.-]+$/, "");
      const id = byName.get(name.toLowerCase());
      return id ? `${lead}<@${id}>${word.slice(name.length)}` : all;
    }),
  );
}

/** The text as the composer shows it: `<@id>` of a known member becomes `@username`. */
export function mentionsToDisplay(text: string, members: Member[]): string {
  const byId = new Map(members.map((m) => [m.user_id, m.username]));
  return outsideCode(text, (part) => part.replace(/<@!?(\d{1,25})>/g, (all, id: string) => (byId.has(id) ? `@${byId.get(id)}` : all)));
}
