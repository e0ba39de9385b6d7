//! Text helpers of the search views: which parts of a result to mark, and how well a channel,
//! DM or server name fits what was typed in the quick switcher.

/** Lower case without accents, the way the core's index compares words. */
export function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** The words of a query, as the core's index splits them. */
export function queryWords(query: string): string[] {
  return fold(query)
    .split(/[^\p{L}\p{N}_']+/u)
    .map((w) => w.replace(/^'+|'+$/g, ""))
    .filter((w) => /[\p{L}\p{N}]/u.test(w));
}

/** One run of a result's text; `isHit` runs start with a query word. */
export type Part = { text: string; isHit: boolean };

/**
 * Splits `text` into runs, marking each word that starts with a query word (the index
 * matches words by prefix). Rendered as text with `<mark>`, never as HTML.
 */
export function highlightParts(text: string, query: string): Part[] {
  const words = queryWords(query);
  if (words.length === 0 || text.length === 0) return [{ text, isHit: false }];
  const parts: Part[] = [];
  // Words and the gaps between them, in order.
  for (const token of text.match(/[\p{L}\p{N}_']+|[^\p{L}\p{N}_']+/gu) ?? []) {
    const folded = fold(token).replace(/^'+/, "");
    const isHit = /[\p{L}\p{N}]/u.test(token) && words.some((w) => folded.startsWith(w));
    const last = parts.at(-1);
    if (last && last.isHit === isHit) last.text += token;
    else parts.push({ text: token, isHit });
  }
  return parts;
}

/**
 * How well `name` fits `query` in the quick switcher: higher is better, 0 is no match.
 * A prefix beats a word start, which beats letters in order anywhere (`gnrl` → general).
 */
export function switcherScore(name: string, query: string): number {
  const n = fold(name);
  const q = fold(query).replace(/^[#@]/, "").trim();
  if (!q) return 1;
  if (n === q) return 100;
  if (n.startsWith(q)) return 80 - Math.min(n.length, 40) / 10;
  const at = n.indexOf(q);
  if (at > 0 && /[^\p{L}\p{N}]/u.test(n[at - 1])) return 60;
  if (at >= 0) return 40;
  let i = 0;
  for (const ch of n) if (ch === q[i]) i++;
  return i === q.length ? 20 - Math.min(n.length, 19) / 2 : 0;
}
