//! ConnectionState: the slim banner about the link to the server.
//!
//! It only renders what the core says (connecting, reconnecting with its own attempt count and
//! next time, offline). The one thing it adds is a short "Back online" after a drop, so the
//! user sees the problem went away.

import { createContext } from "svelte";
import { invoke } from "../ipc";
import type { UiState, UiStateOf } from "../types";

/** States in which there is no session, so no connection to speak of. */
const SESSION_OVER: readonly UiState["state"][] = [
  "signed_out",
  "login_required",
  "invalid_credentials",
  "two_factor_required",
  "two_factor_invalid",
  "two_factor_expired",
  "sign_in_incomplete",
  "account_locked",
];

/** How long "Back online" stays up. */
export const BACK_ONLINE_MS = 3_000;

/** The banner to show, if any. */
export type ConnectionBanner =
  | { kind: "connecting" }
  | { kind: "reconnecting"; state: UiStateOf<"reconnecting"> }
  | { kind: "offline"; reason: string }
  | { kind: "back_online" };

/** The connection banner. */
export class ConnectionState {
  private last = $state.raw<UiState | null>(null);
  private wasDown = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** True for a moment after the connection came back. */
  isBackOnline = $state(false);

  /** What the banner shows. */
  banner: ConnectionBanner | null = $derived.by(() => {
    const s = this.last;
    if (s?.state === "connecting") return { kind: "connecting" };
    if (s?.state === "reconnecting") return { kind: "reconnecting", state: s };
    if (s?.state === "offline") return { kind: "offline", reason: s.reason };
    return this.isBackOnline ? { kind: "back_online" } : null;
  });

  /** Takes a new app-wide state. */
  apply(s: UiState): void {
    const isDown = s.state === "reconnecting" || s.state === "offline";
    const isLinkState = isDown || s.state === "connecting" || s.state === "ready";
    if (SESSION_OVER.includes(s.state)) {
      // No session, no link to report on: a stale "Connecting…" must not linger on the login.
      this.last = null;
      this.wasDown = false;
      this.isBackOnline = false;
      return;
    }
    if (!isLinkState) return;
    this.last = s;
    if (s.state === "ready" && this.wasDown) this.flashBackOnline();
    if (isDown) this.wasDown = true;
    else if (s.state === "ready") this.wasDown = false;
  }

  private flashBackOnline() {
    this.isBackOnline = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.isBackOnline = false), BACK_ONLINE_MS);
  }

  /** Asks the core to try now instead of waiting for its backoff. */
  reconnectNow(): Promise<void> {
    return invoke("reconnect_now").then(
      () => undefined,
      () => undefined,
    );
  }
}

/** Context accessors for the window's ConnectionState. */
export const [getConnection, setConnection] = createContext<ConnectionState>();
