//! Display and notification preferences that follow the account (synced like the theme):
//! compact mode (a denser message layout, read by the CSS from `data-density` on the root
//! element) and which messages raise a desktop notification (told to the shell, which shows
//! them). Stored locally too, so they apply before the server answers and offline.

import { invoke } from "./ipc";

/** Which messages notify: DMs and mentions (default), mentions only, or nothing. */
export type NotifyLevel = "dms_and_mentions" | "mentions" | "off";

const DENSITY = "plexichat.compact";
const NOTIFY = "plexichat.notifications";

/** Whether compact mode is on. */
export function readCompact(): boolean {
  return globalThis.localStorage?.getItem(DENSITY) === "true";
}

/** Applies and saves compact mode. */
export function applyCompact(on: boolean): void {
  const root = document.documentElement;
  if (on) root.dataset.density = "compact";
  else delete root.dataset.density;
  globalThis.localStorage?.setItem(DENSITY, String(on));
}

export function isNotifyLevel(v: string): v is NotifyLevel {
  return v === "dms_and_mentions" || v === "mentions" || v === "off";
}

/** The saved notification level. */
export function readNotify(): NotifyLevel {
  const v = globalThis.localStorage?.getItem(NOTIFY) ?? "";
  return isNotifyLevel(v) ? v : "dms_and_mentions";
}

/** Applies (tells the shell) and saves the notification level. */
export function applyNotify(level: NotifyLevel): void {
  globalThis.localStorage?.setItem(NOTIFY, level);
  invoke("set_notification_level", { level }).catch(() => undefined);
}

/** Applies the saved preferences at start (before the server is asked). */
export function applySavedPreferences(): void {
  applyCompact(readCompact());
  applyNotify(readNotify());
}
