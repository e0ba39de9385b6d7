//! Syntax highlighting for fenced code blocks, loaded on first use (dynamic import) so the
//! grammars never weigh on start-up. lowlight gives a syntax tree, not an HTML string: the
//! tree becomes `<span class="hljs-…">` elements and text nodes, nothing else.

import { createLowlight } from "lowlight";
import bash from "highlight.js/lib/languages/bash";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";

const lowlight = createLowlight({ bash, c, cpp, css, diff, go, java, javascript, json, python, rust, sql, typescript, xml, yaml });
lowlight.registerAlias({ bash: ["sh", "shell", "zsh"], javascript: ["js", "jsx"], typescript: ["ts", "tsx"], python: ["py"], rust: ["rs"], xml: ["html", "svg"], yaml: ["yml"], cpp: ["c++", "hpp", "cc"] });

type HastNode = { type: string; value?: string; properties?: { className?: unknown }; children?: HastNode[] };

function toDom(node: HastNode, into: Node): void {
  for (const child of node.children ?? []) {
    if (child.type === "text") {
      into.appendChild(document.createTextNode(child.value ?? ""));
    } else if (child.type === "element") {
      const span = document.createElement("span");
      const names = Array.isArray(child.properties?.className) ? child.properties.className : [];
      // Only highlight.js's own scope classes reach the DOM.
      span.className = names.filter((n): n is string => typeof n === "string" && /^hljs-[\w-]+$/.test(n)).join(" ");
      toDom(child, span);
      into.appendChild(span);
    }
  }
}

/** Whether `lang` (a fence's language or alias) has a grammar here. */
export function canHighlight(lang: string): boolean {
  return lowlight.registered(lang);
}

/** Replaces the text of `code` by highlighted spans; leaves it as it is for unknown languages. */
export function highlightInto(code: HTMLElement, text: string, lang: string): void {
  if (!lowlight.registered(lang) || code.textContent !== text) return;
  // Long pastes highlight slowly and gain little: keep them plain.
  if (text.length > 20_000) return;
  const tree = lowlight.highlight(lang, text);
  const frag = document.createDocumentFragment();
  toDom(tree as HastNode, frag);
  code.replaceChildren(frag);
  code.classList.add("hljs");
}
