//! Emoji data, loaded on demand: the ~430 kB table (@emoji-mart/data, Unicode 15) is its own
//! chunk, fetched the first time the picker opens or a `:shortcode:` is typed, never at
//! start-up. Recents and the skin tone stay on this machine (localStorage).

/** One emoji of the table. */
export type EmojiEntry = {
  /** Shortcode without colons (`+1`, `joy`). */
  id: string;
  /** English name ("Thumbs Up"). */
  name: string;
  /** Search words. */
  keywords: string[];
  /** The character(s) for each skin tone: [default, light … dark] when it has tones. */
  skins: string[];
};

/** A picker section. */
export type EmojiCategory = { id: string; label: string; emojis: EmojiEntry[] };

/** The loaded table. */
export type EmojiTable = { categories: EmojiCategory[]; byId: Map<string, EmojiEntry>; aliases: Record<string, string> };

const LABELS: Record<string, string> = {
  people: "Smileys & People",
  nature: "Animals & Nature",
  foods: "Food & Drink",
  activity: "Activities",
  places: "Travel & Places",
  objects: "Objects",
  symbols: "Symbols",
  flags: "Flags",
};

type RawData = {
  categories: { id: string; emojis: string[] }[];
  emojis: Record<string, { id: string; name: string; keywords: string[]; skins: { native: string }[] }>;
  aliases: Record<string, string>;
};

let table: Promise<EmojiTable> | null = null;

/** Builds the table from the raw data set (exported for tests). */
export function buildTable(raw: RawData): EmojiTable {
  const byId = new Map<string, EmojiEntry>();
  for (const e of Object.values(raw.emojis)) {
    byId.set(e.id, { id: e.id, name: e.name, keywords: e.keywords, skins: e.skins.map((s) => s.native) });
  }
  const categories = raw.categories.map((c) => ({
    id: c.id,
    label: LABELS[c.id] ?? c.id,
    emojis: c.emojis.map((id) => byId.get(id)).filter((e): e is EmojiEntry => e !== undefined),
  }));
  return { categories, byId, aliases: raw.aliases };
}

/** Loads the table once (a separate chunk). */
export function loadEmojiTable(): Promise<EmojiTable> {
  table ??= import("@emoji-mart/data/sets/15/native.json")
    .then((m) => buildTable((m as { default: RawData }).default ?? (m as unknown as RawData)))
    .catch((e: unknown) => {
      table = null;
      throw e;
    });
  return table;
}

/** Skin tones: 0 is the default yellow, 1–5 light to dark. */
export const SKIN_TONES = ["Default", "Light", "Medium-light", "Medium", "Medium-dark", "Dark"] as const;

const TONE_KEY = "plexichat.emoji.tone";
const RECENT_KEY = "plexichat.emoji.recent";
const MAX_RECENT = 24;

/** The chosen skin tone (0–5). */
export function skinTone(): number {
  const n = Number(globalThis.localStorage?.getItem(TONE_KEY) ?? 0);
  return Number.isInteger(n) && n >= 0 && n <= 5 ? n : 0;
}

/** Remembers the skin tone. */
export function setSkinTone(n: number): void {
  globalThis.localStorage?.setItem(TONE_KEY, String(n));
}

/** The emoji's character in the given tone (its default when it has no tones). */
export function withTone(e: EmojiEntry, tone: number): string {
  return e.skins[tone] ?? e.skins[0];
}

/** Recently used emoji characters (or `:custom:` codes), newest first. */
export function recentEmojis(): string[] {
  try {
    const raw = JSON.parse(globalThis.localStorage?.getItem(RECENT_KEY) ?? "[]") as unknown;
    return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === "string").slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

/** Puts `emoji` first in the recents. */
export function useEmoji(emoji: string): void {
  const next = [emoji, ...recentEmojis().filter((x) => x !== emoji)].slice(0, MAX_RECENT);
  globalThis.localStorage?.setItem(RECENT_KEY, JSON.stringify(next));
}

/** Emojis matching `query` (shortcode prefix first, then name/keyword matches), at most `limit`. */
export function searchEmojis(t: EmojiTable, query: string, limit = 64): EmojiEntry[] {
  const q = query.trim().toLowerCase().replace(/^:|:$/g, "");
  if (!q) return [];
  const starts: EmojiEntry[] = [];
  const contains: EmojiEntry[] = [];
  for (const e of t.byId.values()) {
    if (e.id.startsWith(q)) starts.push(e);
    else if (e.id.includes(q) || e.name.toLowerCase().includes(q) || e.keywords.some((k) => k.startsWith(q))) contains.push(e);
  }
  starts.sort((a, b) => a.id.length - b.id.length || a.id.localeCompare(b.id));
  return [...starts, ...contains].slice(0, limit);
}

/** The `:partial` being typed just before the caret, if any (two characters at least). */
export function shortcodeAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|[\s(])(:[a-z0-9_+-]{2,})$/i.exec(before);
  if (!m) return null;
  return { start: caret - m[2].length, query: m[2].slice(1) };
}

/** Replaces every complete `:shortcode:` the table knows by its emoji (custom ones stay). */
export function expandShortcodes(t: EmojiTable, text: string, tone: number): string {
  return text.replace(/:([a-z0-9_+-]+):/gi, (whole, code: string) => {
    const e = t.byId.get(code.toLowerCase()) ?? t.byId.get(t.aliases[code.toLowerCase()] ?? "");
    return e ? withTone(e, tone) : whole;
  });
}
