//! Arrow-key movement between the buttons of a vertical list (server rail, channel list), so
//! a long list costs one Tab to cross, as in Discord.

/** On ArrowUp/ArrowDown, focuses the previous/next button of the closest `[data-arrow-nav]`. */
export function arrowNav(e: KeyboardEvent): void {
  if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
  const host = (e.currentTarget as HTMLElement).closest("[data-arrow-nav]");
  if (!host) return;
  const items = [...host.querySelectorAll<HTMLElement>("button")];
  const i = items.indexOf(e.currentTarget as HTMLElement);
  e.preventDefault();
  items[(i + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length]?.focus();
}
