//! Loads the markdown renderer (markdown-it and our rules) on first use, so it is not part of
//! the first-paint bundle. Until it is in, messages show as plain text, which for the usual
//! message without markup is what the renderer would show anyway.

type RenderModule = typeof import("./render");

let loaded = $state<RenderModule | null>(null);
let loading: Promise<RenderModule> | null = null;

/** Starts loading the renderer (idempotent); resolves once it is in. */
export function loadRenderer(): Promise<RenderModule> {
  loading ??= import("./render").then((m) => (loaded = m));
  return loading;
}

/** The renderer once loaded, else `null` (reactive: readers update when it arrives). */
export function renderer(): RenderModule | null {
  if (!loaded) void loadRenderer();
  return loaded;
}

/** Highlights a code block once the grammars have loaded (they load on the first block). */
export function queueHighlight(code: HTMLElement, text: string, lang: string): void {
  import("./highlight").then(
    (h) => h.highlightInto(code, text, lang),
    (e: unknown) => console.warn("markdown: highlighting unavailable", e),
  );
}
