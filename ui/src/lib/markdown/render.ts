//! Message text → DOM nodes. The parser's tokens become elements made with `createElement`
//! and text nodes, never an HTML string: whatever the text says, only the tags in `ALLOWED`
//! with their listed attributes can appear (the property test in render.test.ts holds us to
//! it). Links keep their `href` for hover and keyboard users, but a click is handled by the
//! caller (`data-link`), which opens it in the system browser after a confirm.

import type MarkdownIt from "markdown-it";
import type Token from "markdown-it/lib/token.mjs";
import { safeLink, safeMedia } from "../safe-url";
import { createParser } from "./parser";

/** Every element the renderer can produce, with the attributes each may carry. */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  p: [],
  strong: [],
  em: [],
  u: [],
  s: [],
  code: ["class", "data-lang"],
  pre: [],
  blockquote: [],
  h1: [],
  h2: [],
  h3: [],
  ul: [],
  ol: ["start"],
  li: [],
  a: ["href", "title", "rel", "data-link"],
  span: ["class", "role", "tabindex", "aria-label", "aria-expanded", "data-user-id", "title"],
  img: ["src", "alt", "title", "class", "width", "height", "draggable"],
};

/** What the caller knows that the text does not. */
export type RenderOptions = {
  /** A user's display name for a `<@id>` mention chip; `null` when unknown. */
  resolveUser?: (id: string) => string | null;
  /** A displayable (data:/blob:) image for a custom emoji; `null` shows `:name:`. */
  resolveEmoji?: (id: string, name: string) => string | null;
  /** Called for each fenced code block with a language, to highlight it later. */
  onCodeBlock?: (code: HTMLElement, text: string, lang: string) => void;
};

/** Shown in place of ciphertext the server stored and failed to decrypt. */
export const UNDECRYPTABLE = "message could not be decrypted by the server";

const SIMPLE: Record<string, keyof HTMLElementTagNameMap> = {
  paragraph_open: "p",
  em_open: "em",
  s_open: "s",
  blockquote_open: "blockquote",
  bullet_list_open: "ul",
  list_item_open: "li",
};

let parser: MarkdownIt | null = null;

function el<K extends keyof HTMLElementTagNameMap>(tag: K): HTMLElementTagNameMap[K] {
  return document.createElement(tag);
}

function openElement(t: Token): HTMLElement | null {
  const simple = SIMPLE[t.type];
  if (simple) return el(simple);
  switch (t.type) {
    case "strong_open":
      // `__x__` is underline in chat apps; `**x**` is bold.
      return el(t.markup === "__" ? "u" : "strong");
    case "heading_open":
      return el(t.tag === "h1" || t.tag === "h2" ? t.tag : "h3");
    case "ordered_list_open": {
      const ol = el("ol");
      const start = Number(t.attrGet("start"));
      if (Number.isInteger(start) && start >= 0 && start !== 1 && start < 1e9) ol.setAttribute("start", String(start));
      return ol;
    }
    case "link_open": {
      const href = safeLink(t.attrGet("href"));
      if (!href || href.toLowerCase().startsWith("mailto:")) return el("span");
      const a = el("a");
      a.setAttribute("href", href);
      a.setAttribute("title", href);
      a.setAttribute("rel", "noreferrer noopener");
      a.setAttribute("data-link", "");
      return a;
    }
    case "spoiler_open": {
      const s = el("span");
      s.className = "spoiler";
      s.setAttribute("role", "button");
      s.setAttribute("tabindex", "0");
      s.setAttribute("aria-label", "Spoiler, press to reveal");
      s.setAttribute("aria-expanded", "false");
      return s;
    }
    default:
      return null;
  }
}

function leaf(t: Token, opts: RenderOptions): Node | null {
  switch (t.type) {
    case "text":
      return document.createTextNode(t.content);
    case "softbreak":
    case "hardbreak":
      // A newline in a pre-wrap container: copying the message keeps its lines.
      return document.createTextNode("\n");
    case "code_inline": {
      const c = el("code");
      c.className = "inline";
      c.textContent = t.content;
      return c;
    }
    case "fence": {
      const pre = el("pre");
      const code = el("code");
      const text = t.content.replace(/\n$/, "");
      code.textContent = text;
      const lang = /^[A-Za-z0-9_+#-]{1,20}/.exec(t.info.trim())?.[0].toLowerCase() ?? "";
      if (lang) {
        code.setAttribute("data-lang", lang);
        opts.onCodeBlock?.(code, text, lang);
      }
      pre.appendChild(code);
      return pre;
    }
    case "mention": {
      const id = String(t.meta.id);
      const name = opts.resolveUser?.(id) ?? null;
      const chip = el("span");
      chip.className = "mention";
      chip.setAttribute("data-user-id", id);
      chip.textContent = `@${name ?? "unknown-user"}`;
      if (!name) chip.setAttribute("title", `User ${id}`);
      return chip;
    }
    case "custom_emoji": {
      const { id, name } = t.meta as { id: string; name: string };
      const src = safeMedia(opts.resolveEmoji?.(id, name) ?? null);
      if (!src) return document.createTextNode(`:${name}:`);
      const img = el("img");
      img.src = src;
      img.alt = `:${name}:`;
      img.title = `:${name}:`;
      img.className = "emoji";
      img.setAttribute("width", "22");
      img.setAttribute("height", "22");
      img.setAttribute("draggable", "false");
      return img;
    }
    case "enc_notice": {
      const n = el("span");
      n.className = "enc-notice";
      n.textContent = UNDECRYPTABLE;
      return n;
    }
    default:
      return null;
  }
}

function build(tokens: Token[], root: Node, opts: RenderOptions): void {
  // A stack of open elements with the token type that closes each. Closers that do not match
  // the top (delimiters paired across a spoiler) close nothing: odd nesting, never a throw.
  const stack: { node: Node; close: string }[] = [{ node: root, close: "" }];
  const top = () => stack[stack.length - 1].node;
  for (const t of tokens) {
    if (t.type === "inline") {
      build(t.children ?? [], top(), opts);
      continue;
    }
    // Tight lists hide their paragraphs.
    if (t.hidden && t.nesting !== 0) continue;
    if (t.nesting === 1) {
      const e = openElement(t);
      if (!e) continue;
      top().appendChild(e);
      // A spoiler's text sits in an inner span that stays invisible (not just transparent)
      // until revealed, so neither the eye nor an accessibility tree reads it early.
      const inner = e.classList.contains("spoiler") ? e.appendChild(el("span")) : e;
      if (inner !== e) inner.className = "spoiler-text";
      stack.push({ node: inner, close: t.type.replace(/_open$/, "_close") });
    } else if (t.nesting === -1) {
      const i = stack.map((s) => s.close).lastIndexOf(t.type);
      if (i > 0) stack.length = i;
    } else {
      const n = leaf(t, opts);
      if (n) top().appendChild(n);
    }
  }
}

/** Renders message text as a fragment of safe nodes. */
export function renderMarkdown(text: string, opts: RenderOptions = {}): DocumentFragment {
  parser ??= createParser();
  const frag = document.createDocumentFragment();
  try {
    build(parser.parse(text, {}), frag, opts);
  } catch (e) {
    // A parser bug must not cost the message: show it as it was typed.
    console.warn("markdown: rendering failed, showing plain text", e);
    frag.replaceChildren(document.createTextNode(text));
  }
  return frag;
}
