//! The message markdown dialect: markdown-it (maintained, CommonMark) with raw HTML off and
//! tuned to what chat users type (Discord style): `__x__` is underline, single newlines
//! break lines, only `http(s)://` text becomes a link, and block syntax that surprises in a
//! chat line (setext headings, `---` rules, indented code, tables, images, link reference
//! definitions, HTML entities) stays text. Chat-only syntax is added as inline rules:
//! `||spoiler||`, `<@id>` mentions, `<:name:id>` custom emojis and `ENC:1:` ciphertext.

import MarkdownIt from "markdown-it";
import type StateCore from "markdown-it/lib/rules_core/state_core.mjs";
import type StateInline from "markdown-it/lib/rules_inline/state_inline.mjs";

/** Stored ciphertext the server failed to decrypt (e.g. in a forwarded copy). */
const ENC_RE = /^ENC:1:[A-Za-z0-9+/=_-]{4,}/;
const MENTION_RE = /^<@!?(\d{1,25})>/;
const CUSTOM_EMOJI_RE = /^<(a?):([A-Za-z0-9_]{1,64}):(\d{1,25})>/;

// markdown-it's own text rule runs over `|` and `E`; ours also stops there so the spoiler and
// ciphertext rules get a chance. Same list otherwise (markdown-it's rules_inline/text.mjs).
const TERMINATORS = new Set("\n!#$%&*+-:<=>@[\\]^_`{}~|E".split("").map((c) => c.charCodeAt(0)));

function text(state: StateInline, silent: boolean): boolean {
  let pos = state.pos;
  while (pos < state.posMax && !TERMINATORS.has(state.src.charCodeAt(pos))) pos++;
  if (pos === state.pos) return false;
  if (!silent) state.pending += state.src.slice(state.pos, pos);
  state.pos = pos;
  return true;
}

function spoiler(state: StateInline, silent: boolean): boolean {
  const start = state.pos;
  const src = state.src;
  if (src.charCodeAt(start) !== 0x7c || src.charCodeAt(start + 1) !== 0x7c) return false;
  const end = src.indexOf("||", start + 2);
  // `||||` is not a spoiler of nothing.
  if (end < 0 || end === start + 2) return false;
  if (!silent) {
    const oldMax = state.posMax;
    state.push("spoiler_open", "span", 1);
    state.pos = start + 2;
    state.posMax = end;
    state.md.inline.tokenize(state);
    state.posMax = oldMax;
    state.push("spoiler_close", "span", -1);
  }
  state.pos = end + 2;
  return true;
}

function mention(state: StateInline, silent: boolean): boolean {
  if (state.src.charCodeAt(state.pos) !== 0x3c) return false;
  const m = MENTION_RE.exec(state.src.slice(state.pos, state.posMax));
  if (!m) return false;
  if (!silent) state.push("mention", "", 0).meta = { id: m[1] };
  state.pos += m[0].length;
  return true;
}

function customEmoji(state: StateInline, silent: boolean): boolean {
  if (state.src.charCodeAt(state.pos) !== 0x3c) return false;
  const m = CUSTOM_EMOJI_RE.exec(state.src.slice(state.pos, state.posMax));
  if (!m) return false;
  if (!silent) state.push("custom_emoji", "", 0).meta = { animated: m[1] === "a", name: m[2], id: m[3] };
  state.pos += m[0].length;
  return true;
}

function ciphertext(state: StateInline, silent: boolean): boolean {
  // Only at a word start: "xENC:1:..." is someone's text.
  if (state.src.charCodeAt(state.pos) !== 0x45) return false;
  const prev = state.pos > 0 ? state.src[state.pos - 1] : " ";
  if (!/\s|[>(]/.test(prev)) return false;
  const m = ENC_RE.exec(state.src.slice(state.pos, state.posMax));
  if (!m) return false;
  if (!silent) state.push("enc_notice", "", 0);
  state.pos += m[0].length;
  return true;
}

// A message "1." or "-" is text, not an empty list: a list whose items hold no text goes back
// to being the paragraph the user typed.
function emptyListsAsText(state: StateCore): void {
  const out: typeof state.tokens = [];
  for (let i = 0; i < state.tokens.length; i++) {
    const t = state.tokens[i];
    if ((t.type !== "bullet_list_open" && t.type !== "ordered_list_open") || !t.map) {
      out.push(t);
      continue;
    }
    const close = t.type.replace("_open", "_close");
    let j = i + 1;
    let depth = 1;
    let hasText = false;
    for (; j < state.tokens.length; j++) {
      const u = state.tokens[j];
      if (u.type === t.type) depth++;
      if (u.type === close && --depth === 0) break;
      if (u.type === "inline" && u.content.trim() !== "") hasText = true;
    }
    if (hasText) {
      out.push(t);
      continue;
    }
    const lines = state.src.split("\n").slice(t.map[0], t.map[1]).join("\n");
    const open = new state.Token("paragraph_open", "p", 1);
    const inline = new state.Token("inline", "", 0);
    inline.content = lines.trim();
    inline.children = [];
    out.push(open, inline, new state.Token("paragraph_close", "p", -1));
    i = j;
  }
  state.tokens = out;
}

/** Builds the parser (one per app; parsing is stateless). */
export function createParser(): MarkdownIt {
  const md = new MarkdownIt("default", { html: false, linkify: true, breaks: true, typographer: false });
  md.disable(["lheading", "hr", "code", "table", "reference", "html_block"]);
  md.disable(["image", "entity", "html_inline"]);
  // Only links with a scheme: "example.com" in a sentence stays text, as in other chat apps.
  md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
  md.core.ruler.before("inline", "empty_lists_as_text", emptyListsAsText);
  md.inline.ruler.at("text", text);
  // Before `autolink` (which would read `<@1>` as nothing) and before `text` stops at `<`.
  md.inline.ruler.before("autolink", "mention", mention);
  md.inline.ruler.before("autolink", "custom_emoji", customEmoji);
  md.inline.ruler.after("text", "spoiler", spoiler);
  md.inline.ruler.after("text", "enc_notice", ciphertext);
  return md;
}
