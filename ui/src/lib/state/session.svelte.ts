//! SessionState: the app-wide `UiState` from the core and what the window shows for it.
//!
//! The core decides the state; this class only remembers what rendering needs across states
//! (the signed-in user so a "session expired" prompt keeps the chat underneath, the 2FA
//! challenge while a wrong code is retyped, the login name and server the user typed).

import { createContext } from "svelte";
import { invoke } from "../ipc";
import type { AppInfo, IpcError, LoginOutcome, LongWait, UiState, UiStateName, User, WaitAction } from "../types";

/** States rendered as a step of the sign-in flow (full screen). */
const AUTH_STATES: readonly UiStateName[] = [
  "signed_out",
  "invalid_credentials",
  "two_factor_required",
  "two_factor_invalid",
  "two_factor_expired",
  "sign_in_incomplete",
  "account_locked",
];

/** States rendered as a blocking dialog over whatever is underneath. */
const DIALOG_STATES: readonly UiStateName[] = ["update_required", "invalid_version_format", "bug_report"];

/** Which big screen is under any banner or dialog. */
export type Screen = "auth" | "splash" | "chat";

/** The step of the sign-in flow on the auth screen. */
export type AuthStep = "login" | "register" | "two_factor" | "locked";

/** The app-wide state and the sign-in flow. */
/** The production server, shown until the shell says otherwise (`--server`). */
export const DEFAULT_SERVER_URL = "https://api.plexichat.com";

export class SessionState {
  /** The latest state from the core. */
  ui = $state.raw<UiState>({ state: "signed_out" });
  /** The user of the last `ready`; kept while a session-expired prompt is up. */
  user = $state.raw<User | null>(null);
  /** Version and defaults from the shell. */
  appInfo = $state.raw<AppInfo | null>(null);
  /** Server URL typed on the login screen. */
  serverUrl = $state(DEFAULT_SERVER_URL);
  /** User name or e-mail typed on the login screen (kept to pre-fill a re-login). */
  login = $state("");
  /** True while a sign-in command is in flight. */
  isBusy = $state(false);
  /** The failure of the last sign-in action when the core gave no app-wide state for it. */
  actionError = $state.raw<IpcError | null>(null);
  /** The current 2FA challenge, kept while a wrong code gets retyped. */
  challenge = $state.raw<{ expires_at: number; methods: string[] } | null>(null);
  /** Login vs register chosen by the user on the auth screen. */
  wantsRegister = $state(false);
  /** A short note on the login form explaining why the user is back there. */
  loginNotice = $state<string | null>(null);
  /** Long rate-limit waits the shell has on file for `waitsServer`. */
  waits = $state.raw<LongWait[]>([]);
  /** The server (as typed) whose waits `waits` holds. */
  private waitsServer = $state<string | null>(null);

  /** The screen under banners and dialogs. */
  screen: Screen = $derived.by(() => {
    const s = this.ui.state;
    // A re-login after a session ended happens over the chat, so a wrong password or a 2FA
    // step on the way does not throw the user's place away.
    if (AUTH_STATES.includes(s)) return this.user && s !== "signed_out" ? "chat" : "auth";
    if (this.user) return "chat";
    if (s === "connecting" || s === "reconnecting" || s === "ready") return "splash";
    return "auth";
  });

  /** The sign-in step to show on the auth screen. */
  authStep: AuthStep = $derived.by(() => {
    const s = this.ui.state;
    if (s === "account_locked" || (s === "forbidden" && this.ui.reason === "account_suspended")) return "locked";
    if ((s === "two_factor_required" || s === "two_factor_invalid") && this.challenge) return "two_factor";
    return this.wantsRegister ? "register" : "login";
  });

  /** The blocking dialog to show, if any. */
  dialog = $derived(DIALOG_STATES.includes(this.ui.state) ? this.ui : null);

  /** True when a signed-in session ended and the user must sign in again over the chat. */
  isReloginPrompt = $derived(
    this.user !== null && (this.ui.state === "login_required" || (AUTH_STATES.includes(this.ui.state) && this.ui.state !== "signed_out")),
  );

  /** Takes a new state from the core. */
  apply(s: UiState): void {
    this.ui = s;
    this.isBusy = false;
    switch (s.state) {
      case "ready":
        this.user = s.user;
        this.challenge = null;
        this.loginNotice = null;
        this.actionError = null;
        break;
      case "signed_out":
        this.user = null;
        this.challenge = null;
        break;
      case "two_factor_required":
        this.challenge = { expires_at: s.expires_at, methods: s.methods };
        break;
      case "two_factor_expired":
        this.challenge = null;
        this.loginNotice = "The verification step timed out. Sign in again.";
        break;
      case "login_required":
        if (!this.user) this.loginNotice = "Your session ended. Sign in again.";
        break;
    }
  }

  /** Asks the shell which long waits run on the server now in the Server field. */
  async refreshWaits(): Promise<void> {
    const server_url = this.serverUrl.trim();
    let waits: LongWait[] = [];
    try {
      waits = await invoke("list_waits", { server_url });
    } catch {
      // No book (a bug in the shell): behave as if no wait ran; the server still refuses.
    }
    if (server_url === this.serverUrl.trim()) {
      this.waits = waits;
      this.waitsServer = server_url;
    }
  }

  /** The long wait holding `action` back on the server in the Server field, if any. */
  waitFor(action: WaitAction): LongWait | null {
    if (this.waitsServer !== this.serverUrl.trim()) return null;
    return this.waits.find((w) => w.action === action) ?? null;
  }

  /** Forgets a wait whose time has come. */
  endWait(wait: LongWait): void {
    this.waits = this.waits.filter((w) => w !== wait);
  }

  /** Runs one sign-in command, keeping `isBusy` and `actionError` right. */
  private async run(action: () => Promise<unknown>): Promise<void> {
    this.isBusy = true;
    this.actionError = null;
    try {
      await action();
    } catch (e) {
      this.actionError = e as IpcError;
      // A rejected action that carries an app-wide state (lockout, update) is shown as such.
      const st = (e as IpcError).state;
      if (st && (AUTH_STATES.includes(st.state) || DIALOG_STATES.includes(st.state))) this.apply(st);
      // An hourly window: the shell has recorded the wait; show it next to the form.
      if (st?.state === "rate_limited") await this.refreshWaits();
    } finally {
      this.isBusy = false;
    }
  }

  /**
   * Takes the answer of a sign-in command. The core also reports the session through
   * `ui-state`; this only makes sure the form does not sit there until that event comes.
   */
  private signedIn(outcome: LoginOutcome | User): void {
    if ("outcome" in outcome && outcome.outcome === "two_factor_required") {
      if (this.ui.state !== "two_factor_required") {
        this.apply({ state: "two_factor_required", expires_at: outcome.expires_at, methods: outcome.methods });
      }
      return;
    }
    const user = "outcome" in outcome ? outcome.user : outcome;
    const isStillOnForm = AUTH_STATES.includes(this.ui.state) || this.ui.state === "login_required";
    // Signed in for sure: show the chat; the core's own states (connecting, …) follow as banners.
    if (isStillOnForm) this.apply({ state: "ready", user });
  }

  /** Signs in with what the user typed. */
  signIn(password: string): Promise<void> {
    this.loginNotice = null;
    return this.run(async () =>
      this.signedIn(await invoke("sign_in", { server_url: this.serverUrl.trim(), login: this.login.trim(), password })),
    );
  }

  /** Creates an account. */
  register(username: string, email: string, password: string): Promise<void> {
    return this.run(async () =>
      this.signedIn(
        await invoke("register", { server_url: this.serverUrl.trim(), username: username.trim(), email: email.trim(), password }),
      ),
    );
  }

  /** Sends a 2FA or backup code. */
  submitCode(code: string): Promise<void> {
    return this.run(async () => this.signedIn(await invoke("submit_two_factor", { code: code.trim() })));
  }

  /** Leaves the 2FA step; `expired` explains why on the login form. */
  async cancelTwoFactor(expired = false): Promise<void> {
    this.challenge = null;
    this.loginNotice = expired ? "The verification step timed out. Sign in again." : null;
    this.toLoginStep();
    await invoke("cancel_two_factor").catch(() => undefined);
  }

  /** Leaves the lockout notice for the login form (the server decides if the lock is over). */
  backToLogin(): void {
    this.toLoginStep();
  }

  /** Shows the password step: the full screen, or the re-login prompt over the chat. */
  private toLoginStep(): void {
    this.ui = this.user ? { state: "login_required", reason: "authentication_required", message: "" } : { state: "signed_out" };
  }

  /** Starts the embedded demo. */
  startDemo(): Promise<void> {
    return this.run(async () => this.signedIn(await invoke("start_demo")));
  }

  /** Signs out. */
  async signOut(): Promise<void> {
    await invoke("sign_out").catch(() => undefined);
    this.user = null;
    this.apply({ state: "signed_out" });
  }
}

/** Context accessors for the window's SessionState. */
export const [getSession, setSession] = createContext<SessionState>();
