import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ALLOWED, renderMarkdown, UNDECRYPTABLE } from "./render";
import { highlightInto } from "./highlight";

/** Every element under `root` is allowed, with allowed attributes and inert URLs only. */
function assertSafe(root: Node): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n as Element;
    const tag = e.tagName.toLowerCase();
    expect(Object.keys(ALLOWED), `tag <${tag}>`).toContain(tag);
    for (const a of e.getAttributeNames()) {
      expect(ALLOWED[tag], `<${tag} ${a}>`).toContain(a);
    }
    const href = e.getAttribute("href");
    if (href !== null) expect(href).toMatch(/^https?:\/\//i);
    const src = e.getAttribute("src");
    if (src !== null) expect(src).toMatch(/^(blob:|data:image\/(png|gif|webp|jpeg);)/);
  }
}

const HOSTILE = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  '<a href="javascript:alert(1)">x</a>',
  "[click](javascript:alert(1))",
  "[x](JaVaScRiPt:alert(1))",
  "[x](data:text/html;base64,PHNjcmlwdD4=)",
  "[x](vbscript:msgbox)",
  "[x](file:///etc/passwd)",
  "![img](http://evil/x.png)",
  "<iframe src=//evil>",
  "<svg onload=alert(1)>",
  "<style>*{display:none}</style>",
  "&lt;script&gt;",
  "<@123>",
  "<@!99999999999999999999>",
  "<:pepe:123>",
  "<a:dance:456>",
  "||",
  "||spoiler||",
  "ENC:1:abcd+/==",
  "```js\n",
  "```",
  "`",
  "**",
  "__",
  "~~",
  "> ",
  "# ",
  "1. ",
  "- ",
  "\n",
  "\n\n",
  "https://example.com/a?b=<c>&d=\"e\"",
  "http://x.y/\"onmouseover=alert(1)",
  "<http://autolink.test>",
  "<javascript:alert(1)>",
  "[a](<http://x> \"t\")",
  '" onclick="x',
  "\\",
  "\u0000",
  "\u202e",
];

const piece = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 12 }), fc.constantFrom("*", "_", "|", "`", "~", ">", "<", "[", "]", "(", ")", ":", "@", "#", " ", "!"));
const hostileText = fc.array(piece, { maxLength: 30 }).map((xs) => xs.join(""));

describe("renderMarkdown", () => {
  it("only ever produces allowed elements and attributes, whatever the input", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const root = document.createElement("div");
        root.appendChild(renderMarkdown(text, { resolveUser: (id) => (id === "123" ? "bob" : null), resolveEmoji: (id) => (id === "123" ? "javascript:alert(1)" : "data:image/png;base64,AAAA") }));
        assertSafe(root);
      }),
      { numRuns: 1500 },
    );
  }, 60_000);

  it("never drops the words of plain text", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9 ,.?]{0,80}$/), (text) => {
        // "1. x" is an ordered list: its number is the list's marker, not text.
        fc.pre(!/^\s*\d+\.(\s|$)/.test(text));
        const root = document.createElement("div");
        root.appendChild(renderMarkdown(text));
        expect(root.textContent?.replace(/\s+/g, " ").trim()).toBe(text.replace(/\s+/g, " ").trim());
      }),
      { numRuns: 500 },
    );
  });

  it("renders raw HTML as the text the user typed", () => {
    const root = document.createElement("div");
    root.appendChild(renderMarkdown('<img src=x onerror="alert(1)"> <b>hi</b>'));
    expect(root.querySelector("img, b")).toBeNull();
    expect(root.textContent).toBe('<img src=x onerror="alert(1)"> <b>hi</b>');
  });

  function html(text: string, opts = {}): HTMLElement {
    const root = document.createElement("div");
    root.appendChild(renderMarkdown(text, opts));
    return root;
  }

  it("formats bold, italic, underline, strikethrough and inline code", () => {
    const r = html("**b** *i* _i2_ __u__ ~~s~~ `c <x>`");
    expect(r.querySelector("strong")?.textContent).toBe("b");
    expect([...r.querySelectorAll("em")].map((e) => e.textContent)).toEqual(["i", "i2"]);
    expect(r.querySelector("u")?.textContent).toBe("u");
    expect(r.querySelector("s")?.textContent).toBe("s");
    expect(r.querySelector("code.inline")?.textContent).toBe("c <x>");
  });

  it("keeps line breaks and renders quotes, code blocks and spoilers", () => {
    const r = html("line one\nline two\n> quoted\n\n```rust\nfn main() {}\n```\n||secret **bold**||");
    expect(r.textContent).toContain("line one\nline two");
    expect(r.querySelector("blockquote")?.textContent).toContain("quoted");
    const code = r.querySelector("pre code");
    expect(code?.textContent).toBe("fn main() {}");
    expect(code?.getAttribute("data-lang")).toBe("rust");
    const spoiler = r.querySelector(".spoiler");
    expect(spoiler?.getAttribute("role")).toBe("button");
    expect(spoiler?.querySelector("strong")?.textContent).toBe("bold");
  });

  it("auto-links only URLs with a scheme, and never unsafe ones", () => {
    const r = html("see https://example.com/x and example.org and [docs](https://docs.rs) [bad](javascript:alert(1))");
    expect([...r.querySelectorAll("a")].map((a) => a.getAttribute("href"))).toEqual(["https://example.com/x", "https://docs.rs"]);
    expect(r.textContent).toContain("example.org");
    expect(r.textContent).toContain("[bad](javascript:alert(1))");
  });

  it("turns <@id> into a chip through the resolver, and says unknown users plainly", () => {
    const r = html("hi <@42> and <@!7>", { resolveUser: (id: string) => (id === "42" ? "alice" : null) });
    const chips = [...r.querySelectorAll(".mention")];
    expect(chips.map((c) => c.textContent)).toEqual(["@alice", "@unknown-user"]);
    expect(chips[0].getAttribute("data-user-id")).toBe("42");
  });

  it("shows custom emojis as images when the core gave one, else as :name:", () => {
    const r = html("<:pepe:1> <:nope:2>", { resolveEmoji: (id: string) => (id === "1" ? "data:image/png;base64,AAAA" : null) });
    expect(r.querySelector("img.emoji")?.getAttribute("alt")).toBe(":pepe:");
    expect(r.textContent).toContain(":nope:");
  });

  it("shows stored ciphertext as a notice, not as noise", () => {
    const r = html("🔄 Forwarded message (originally from <@1>)\nENC:1:ntgtFKtcxEhf7lqqZH9jH7uGNhVfL+tbAmhbjZ26udy7AtTN1xe5bMBjcR/McHU=");
    expect(r.textContent).not.toContain("ENC:1:");
    expect(r.querySelector(".enc-notice")?.textContent).toBe(UNDECRYPTABLE);
    expect(r.textContent).toContain("Forwarded message");
    // Someone's word that merely contains it stays text.
    expect(html("xENC:1:abcdef").textContent).toBe("xENC:1:abcdef");
  });

  it("leaves block syntax that surprises in chat as text", () => {
    const r = html("title\n---\n    indented\n| a | b |\n|---|---|");
    expect(r.querySelector("h2, hr, table, pre")).toBeNull();
  });
});

describe("highlightInto", () => {
  it("builds only hljs spans from hostile code", () => {
    fc.assert(
      fc.property(hostileText, fc.constantFrom("js", "rust", "html", "python", "bash"), (text, lang) => {
        const code = document.createElement("code");
        code.textContent = text;
        highlightInto(code, text, lang);
        expect(code.textContent).toBe(text);
        for (const e of code.querySelectorAll("*")) {
          expect(e.tagName).toBe("SPAN");
          expect(e.getAttributeNames().every((a) => a === "class")).toBe(true);
          expect(e.className).toMatch(/^(hljs-[\w-]+( |$))*$/);
        }
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it("colours keywords of a known language and leaves unknown ones plain", () => {
    const code = document.createElement("code");
    code.textContent = "fn main() { let x = 1; }";
    highlightInto(code, code.textContent, "rust");
    expect(code.querySelector(".hljs-keyword")?.textContent).toBe("fn");
    const other = document.createElement("code");
    other.textContent = "x";
    highlightInto(other, "x", "brainfudge");
    expect(other.children.length).toBe(0);
  });
});
