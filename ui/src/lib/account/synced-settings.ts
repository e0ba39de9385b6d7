//! Settings that follow the account: kept in the server's user settings (strings only, see
//! account.txt) and applied at sign-in on any machine, with the local copy as the fallback
//! when the server cannot be reached.
//!
//! The server caches its settings GET for 60 s, so a value written here is trusted over the
//! server's for a little longer than that; a write that failed (offline) is retried at the next
//! sign-in.

import { invoke } from "../ipc";
import { applyTheme, readTheme, type Theme } from "../theme";
import { applyCompact, applyNotify, applySavedPreferences, isNotifyLevel, readCompact, readNotify } from "../preferences";

/**
 * Keys this client syncs; values are strings on the wire ("true"/"false" for compact, mutes as
 * comma-separated ids).
 */
export type SyncedKey = "theme" | "compact" | "notifications" | "muted_channels" | "muted_servers";

/** The keys applied to this machine's preferences at sign-in (mutes are read where used). */
const KEYS: ("theme" | "compact" | "notifications")[] = ["theme", "compact", "notifications"];

const PENDING = "plexichat.settings.pending";
/** Server GETs can be this stale (60 s cache) plus some slack. */
const STALE_MS = 65_000;

type Pending = Record<string, { value: string; at: number; sent: boolean }>;

function readPending(): Pending {
  try {
    return JSON.parse(globalThis.localStorage?.getItem(PENDING) ?? "{}") as Pending;
  } catch {
    return {};
  }
}

function writePending(p: Pending): void {
  globalThis.localStorage?.setItem(PENDING, JSON.stringify(p));
}

function isTheme(v: string): v is Theme {
  return v === "system" || v === "light" || v === "dark";
}

function applyLocal(key: SyncedKey, value: string): void {
  if (key === "theme" && isTheme(value)) applyTheme(value);
  else if (key === "compact" && (value === "true" || value === "false")) applyCompact(value === "true");
  else if (key === "notifications" && isNotifyLevel(value)) applyNotify(value);
}

/** What this machine has now for `key`, as the wire string. */
function localValue(key: SyncedKey): string {
  if (key === "theme") return readTheme();
  if (key === "compact") return String(readCompact());
  return readNotify();
}

/** Saves a setting here at once and on the server when it can. */
export async function saveAccountSetting(key: SyncedKey, value: string): Promise<boolean> {
  applyLocal(key, value);
  const pending = readPending();
  pending[key] = { value, at: Date.now(), sent: false };
  writePending(pending);
  try {
    await invoke("set_user_setting", { key, value });
    const after = readPending();
    if (after[key]?.value === value) after[key] = { ...after[key], sent: true };
    writePending(after);
    return true;
  } catch {
    // Offline or refused: kept locally, sent again at the next sign-in.
    return false;
  }
}

/** At sign-in: sends writes that did not get through, then applies the server's values. */
export async function pullAccountSettings(): Promise<void> {
  // This machine's copy first: in force at once, and the fallback while offline.
  applySavedPreferences();
  const pending = readPending();
  for (const [key, p] of Object.entries(pending)) {
    if (p.sent) continue;
    try {
      await invoke("set_user_setting", { key, value: p.value });
      pending[key] = { ...p, sent: true, at: Date.now() };
    } catch {
      return; // still offline: keep everything local
    }
  }
  writePending(pending);
  let remote: Record<string, string>;
  try {
    remote = await invoke("get_user_settings");
  } catch {
    return; // the local copy stays in force
  }
  const now = Date.now();
  for (const key of KEYS) {
    const value = remote[key];
    const local = pending[key];
    const isLocalNewer = local !== undefined && now - local.at < STALE_MS;
    if (value !== undefined && !isLocalNewer && value !== localValue(key)) applyLocal(key, value);
  }
}

/**
 * The value of `key` to use now, given the server's `remote` settings: a local write newer
 * than the server's 60 s cache (or not sent yet) wins over what the server still answers.
 */
export function accountSetting(key: SyncedKey, remote: Record<string, string>): string | undefined {
  const local = readPending()[key];
  if (local !== undefined && (!local.sent || Date.now() - local.at < STALE_MS)) return local.value;
  return remote[key] ?? local?.value;
}
