//! Theme choice: follow the system (default), or force light/dark. Stored locally; the CSS
//! reads `data-theme` on the root element.

/** A theme choice. */
export type Theme = "system" | "light" | "dark";

const KEY = "plexichat.theme";

/** The saved choice. */
export function readTheme(): Theme {
  const v = globalThis.localStorage?.getItem(KEY);
  return v === "light" || v === "dark" ? v : "system";
}

/** Applies and saves a choice. */
export function applyTheme(t: Theme): void {
  const root = document.documentElement;
  if (t === "system") delete root.dataset.theme;
  else root.dataset.theme = t;
  globalThis.localStorage?.setItem(KEY, t);
}
