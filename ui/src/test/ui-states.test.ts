// One test (at least) per UiState variant: render the state, see the right notice, dialog,
// countdown or button. The `SAMPLES` record is keyed by every variant name, so adding a
// variant in Rust (and so in the generated type) fails type-checking here until it is tested.
import { screen, within, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "./harness";
import type { UiState, UiStateName, UiStateOf, User } from "../lib/types";

const ALICE: User = { id: "1000", username: "demo", display_name: "Demo User", avatar_url: null };
const inSec = (s: number) => Date.now() + s * 1000;

const SAMPLES: { [N in UiStateName]: () => UiStateOf<N> } = {
  signed_out: () => ({ state: "signed_out" }),
  login_required: () => ({ state: "login_required", reason: "token_expired", message: "Token expired" }),
  invalid_credentials: () => ({ state: "invalid_credentials", failed_attempts: 2, attempts_left: 3 }),
  two_factor_required: () => ({ state: "two_factor_required", expires_at: inSec(300), methods: ["totp", "backup_code"] }),
  two_factor_invalid: () => ({ state: "two_factor_invalid", message: "Invalid code" }),
  two_factor_expired: () => ({ state: "two_factor_expired" }),
  sign_in_incomplete: () => ({ state: "sign_in_incomplete", message: "Try again in a minute." }),
  account_locked: () => ({ state: "account_locked", until: inSec(900), suspended: false }),
  update_required: () => ({ state: "update_required", client_version: "a.1.0-49", min_version: "a.1.0-60", server_version: "a.1.0-61", update_url: "https://example.com/dl" }),
  invalid_version_format: () => ({ state: "invalid_version_format", client_version: "1.0" }),
  rate_limited: () => ({ state: "rate_limited", retry_at: inSec(30), scope: "global", global: true }),
  forbidden: () => ({ state: "forbidden", reason: "permission_denied", message: "Permission denied" }),
  not_found: () => ({ state: "not_found", entity: "channel", message: "Channel not found" }),
  conflict: () => ({ state: "conflict", field: "username", message: "Username already taken" }),
  invalid_input: () => ({ state: "invalid_input", field: "content", message: "Message too long" }),
  content_rejected: () => ({ state: "content_rejected", message: "Content blocked" }),
  server_error: () => ({ state: "server_error", status: 502, attempt: 2, next_retry_at: inSec(8), message: "Bad gateway from upstream" }),
  service_unavailable: () => ({ state: "service_unavailable", message: "Messaging module disabled", retry_at: inSec(60) }),
  offline: () => ({ state: "offline", reason: "No network connection" }),
  connecting: () => ({ state: "connecting" }),
  reconnecting: () => ({ state: "reconnecting", attempt: 3, next_at: inSec(5) }),
  ready: () => ({ state: "ready", user: ALICE }),
  keyring_unavailable: () => ({ state: "keyring_unavailable", detail: "org.freedesktop.secrets not provided" }),
  bug_report: () => ({ state: "bug_report", message: "gateway rejected intents 4013" }),
};

function start(state: UiState) {
  return renderApp({ initialState: state });
}

/** Signs in through the demo so that a later state lands over the chat. */
async function startSignedIn() {
  const r = renderApp({ initialState: SAMPLES.ready() });
  await screen.findByTestId("state-ready");
  return r;
}

describe("every UiState renders as a deliberate part of the app", () => {
  afterEach(() => vi.useRealTimers());

  it("signed_out shows the login screen", async () => {
    start(SAMPLES.signed_out());
    expect(await screen.findByTestId("state-signed_out")).toContainElement(screen.getByTestId("login-screen"));
  });

  it("login_required without a session shows the login screen with a reason", async () => {
    start(SAMPLES.login_required());
    const el = await screen.findByTestId("state-login_required");
    expect(el).toHaveTextContent("Your session ended. Sign in again.");
    expect(within(el).getByTestId("sign-in")).toBeInTheDocument();
  });

  it("login_required mid-session asks to sign in again over the chat, keeping the place", async () => {
    const { mock } = await startSignedIn();
    const general = await screen.findAllByTestId("channel-item");
    expect(general.length).toBeGreaterThan(0);
    mock.setUiState(SAMPLES.login_required());
    const dialog = await screen.findByTestId("state-login_required");
    expect(dialog).toHaveAttribute("role", "dialog");
    expect(dialog).toHaveTextContent("Your session expired.");
    // The chat stays underneath, so the user's place is kept.
    expect(screen.getByTestId("state-ready")).toBeInTheDocument();
    expect(screen.getByTestId("message-list")).toBeInTheDocument();
  });

  it("invalid_credentials is a field error with the attempts left", async () => {
    start(SAMPLES.invalid_credentials());
    expect(await screen.findByTestId("state-invalid_credentials")).toHaveTextContent("3 attempts left");
  });

  it("two_factor_required asks for the code, counts down and offers backup codes", async () => {
    const user = userEvent.setup();
    start(SAMPLES.two_factor_required());
    const form = await screen.findByTestId("state-two_factor_required");
    expect(within(form).getByLabelText("Authentication code")).toBeInTheDocument();
    expect(within(form).getByTestId("challenge-expiry")).toHaveTextContent(/expires in (5:00|4:59)/);
    await user.click(within(form).getByRole("button", { name: "Use a backup code" }));
    expect(within(form).getByLabelText("Backup code")).toBeInTheDocument();
  });

  it("two_factor_required sends the user back to the password step when the challenge runs out", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { mock } = start({ state: "two_factor_required", expires_at: inSec(3), methods: ["totp"] });
    await screen.findByTestId("state-two_factor_required");
    vi.advanceTimersByTime(4000);
    expect(await screen.findByTestId("login-screen")).toHaveTextContent("The verification step timed out");
    expect(mock.calls.some((c) => c.command === "cancel_two_factor")).toBe(true);
  });

  it("two_factor_invalid keeps the code step with an error", async () => {
    const { mock } = start(SAMPLES.two_factor_required());
    await screen.findByTestId("state-two_factor_required");
    mock.setUiState(SAMPLES.two_factor_invalid());
    expect(await screen.findByTestId("state-two_factor_invalid")).toHaveTextContent("That code didn't work");
    expect(screen.getByLabelText("Authentication code")).toHaveAttribute("aria-invalid", "true");
  });

  it("two_factor_expired returns to the password step and says why", async () => {
    start(SAMPLES.two_factor_expired());
    const el = await screen.findByTestId("state-two_factor_expired");
    expect(el).toHaveTextContent("The verification step timed out. Sign in again.");
    expect(within(el).getByLabelText("Password")).toBeInTheDocument();
  });

  it("sign_in_incomplete explains and lets the user try again", async () => {
    start(SAMPLES.sign_in_incomplete());
    const el = await screen.findByTestId("state-sign_in_incomplete");
    expect(el).toHaveTextContent("Sign-in did not complete. Try again in a minute.");
    expect(screen.getByTestId("sign-in")).toBeInTheDocument();
  });

  it("account_locked counts down and only then lets the user back to sign in", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    start({ state: "account_locked", until: inSec(65), suspended: false });
    const el = await screen.findByTestId("state-account_locked");
    expect(el).toHaveAttribute("role", "alert");
    expect(el).toHaveTextContent(/Try again in 1:0[45]/);
    const back = within(el).getByRole("button", { name: "Back to sign in" });
    expect(back).toBeDisabled();
    vi.advanceTimersByTime(66_000);
    await waitFor(() => expect(back).toBeEnabled());
    expect(el).toHaveTextContent("You can try again now.");
  });

  it("account_locked (suspended) says the account is suspended", async () => {
    start({ state: "account_locked", until: inSec(900), suspended: true });
    expect(await screen.findByTestId("state-account_locked")).toHaveTextContent("Account suspended");
  });

  it("update_required is a blocking dialog with versions and a download button", async () => {
    start(SAMPLES.update_required());
    const d = await screen.findByTestId("state-update_required");
    expect(d).toHaveAttribute("role", "dialog");
    expect(d).toHaveAttribute("aria-modal", "true");
    expect(within(d).getByTestId("client-version")).toHaveTextContent("a.1.0-49");
    expect(within(d).getByTestId("min-version")).toHaveTextContent("a.1.0-60");
    expect(within(d).getByTestId("server-version")).toHaveTextContent("a.1.0-61");
    expect(within(d).getByTestId("download-update")).toHaveAttribute("href", "https://example.com/dl");
  });

  it("update_required without a URL says what to do instead, and also shows mid-session", async () => {
    const { mock } = await startSignedIn();
    mock.setUiState({ ...SAMPLES.update_required(), update_url: null });
    const d = await screen.findByTestId("state-update_required");
    expect(within(d).queryByTestId("download-update")).toBeNull();
    expect(within(d).getByTestId("update-instructions")).toHaveTextContent("Install the latest Plexichat Desktop");
  });

  it("update_required never links a script URL", async () => {
    start({ ...SAMPLES.update_required(), update_url: "javascript:alert(1)" });
    const d = await screen.findByTestId("state-update_required");
    expect(within(d).queryByTestId("download-update")).toBeNull();
    expect(within(d).getByTestId("update-instructions")).toBeInTheDocument();
  });

  it("invalid_version_format offers a bug report", async () => {
    start(SAMPLES.invalid_version_format());
    const d = await screen.findByTestId("state-invalid_version_format");
    expect(within(d).getByTestId("bug-details")).toHaveTextContent('"1.0"');
    expect(within(d).getByRole("button", { name: "Copy details" })).toBeInTheDocument();
  });

  it("rate_limited (global) shows a slim banner with a countdown", async () => {
    await startSignedIn().then(({ mock }) => mock.setUiState(SAMPLES.rate_limited()));
    const b = await screen.findByTestId("state-rate_limited");
    expect(b).toHaveAttribute("role", "alert");
    expect(b).toHaveTextContent(/Everything resumes in (30|29) s/);
  });

  it("rate_limited on the sign-in screen counts down to the next try", async () => {
    start({ state: "rate_limited", retry_at: inSec(20), scope: "ip", global: false });
    const b = await screen.findByTestId("state-rate_limited");
    expect(b).toHaveTextContent(/Too many attempts. Trying again in (20|19) s/);
    expect(await screen.findByTestId("login-screen")).toBeInTheDocument();
  });

  it("forbidden app-wide says the user lacks permission", async () => {
    (await startSignedIn()).mock.setUiState(SAMPLES.forbidden());
    expect(await screen.findByTestId("state-forbidden")).toHaveTextContent("You don't have permission to do that.");
  });

  it("forbidden (account_suspended) shows the suspension notice", async () => {
    start({ state: "forbidden", reason: "account_suspended", message: "Account suspended" });
    const el = await screen.findByTestId("state-forbidden");
    expect(el).toHaveTextContent("Account suspended");
  });

  it("not_found app-wide says the thing no longer exists", async () => {
    (await startSignedIn()).mock.setUiState(SAMPLES.not_found());
    expect(await screen.findByTestId("state-not_found")).toHaveTextContent("That channel no longer exists.");
  });

  it("conflict app-wide shows the server's words", async () => {
    (await startSignedIn()).mock.setUiState(SAMPLES.conflict());
    expect(await screen.findByTestId("state-conflict")).toHaveTextContent("Username already taken");
  });

  it("invalid_input app-wide shows the server's words", async () => {
    (await startSignedIn()).mock.setUiState(SAMPLES.invalid_input());
    expect(await screen.findByTestId("state-invalid_input")).toHaveTextContent("Message too long");
  });

  it("content_rejected says the content was refused", async () => {
    (await startSignedIn()).mock.setUiState(SAMPLES.content_rejected());
    expect(await screen.findByTestId("state-content_rejected")).toHaveTextContent("refused that message's content");
  });

  it("server_error shows Retry and a details toggle with the server's message", async () => {
    const user = userEvent.setup();
    const { mock } = await startSignedIn();
    mock.setUiState(SAMPLES.server_error());
    const b = await screen.findByTestId("state-server_error");
    expect(b).toHaveAttribute("role", "alert");
    expect(b).toHaveTextContent("The server ran into a problem (502)");
    expect(b).toHaveTextContent(/Retrying in [78] s \(attempt 2\)/);
    expect(within(b).queryByTestId("error-details")).toBeNull();
    await user.click(within(b).getByRole("button", { name: "Details" }));
    expect(within(b).getByTestId("error-details")).toHaveTextContent("Bad gateway from upstream");
    await user.click(within(b).getByRole("button", { name: "Retry" }));
    expect(mock.calls.some((c) => c.command === "reconnect_now")).toBe(true);
  });

  it("service_unavailable shows a feature notice with its retry time", async () => {
    (await startSignedIn()).mock.setUiState(SAMPLES.service_unavailable());
    const b = await screen.findByTestId("state-service_unavailable");
    expect(b).toHaveTextContent(/Trying again in (1:00|59 s)/);
  });

  it("offline shows the reason and Reconnect now", async () => {
    (await startSignedIn()).mock.setUiState(SAMPLES.offline());
    const b = await screen.findByTestId("state-offline");
    expect(b).toHaveTextContent("Offline — No network connection");
    expect(within(b).getByRole("button", { name: "Reconnect now" })).toBeInTheDocument();
  });

  it("connecting shows Connecting… (and a splash before the first ready)", async () => {
    start(SAMPLES.connecting());
    expect(await screen.findByTestId("state-connecting")).toHaveTextContent("Connecting…");
    expect(screen.getByTestId("splash")).toBeInTheDocument();
  });

  it("reconnecting counts down with the attempt, offers Reconnect now, then says Back online", async () => {
    const user = userEvent.setup();
    const { mock } = await startSignedIn();
    mock.setUiState(SAMPLES.reconnecting());
    const b = await screen.findByTestId("state-reconnecting");
    expect(b).toHaveAttribute("role", "alert");
    expect(b).toHaveTextContent(/Reconnecting in [45] s \(attempt 3\)/);
    await user.click(within(b).getByRole("button", { name: "Reconnect now" }));
    expect(mock.calls.some((c) => c.command === "reconnect_now")).toBe(true);
    expect(await screen.findByTestId("back-online")).toHaveTextContent("Back online");
    expect(screen.queryByTestId("state-reconnecting")).toBeNull();
  });

  it("ready shows the chat with the channel list", async () => {
    start(SAMPLES.ready());
    expect(await screen.findByTestId("state-ready")).toBeInTheDocument();
    expect((await screen.findAllByTestId("channel-item")).length).toBeGreaterThan(0);
  });

  it("keyring_unavailable warns that the session will not survive a restart", async () => {
    const user = userEvent.setup();
    start(SAMPLES.keyring_unavailable());
    const b = await screen.findByTestId("state-keyring_unavailable");
    expect(b).toHaveTextContent("sign in again after restarting");
    await user.click(within(b).getByRole("button", { name: "Details" }));
    expect(b).toHaveTextContent("org.freedesktop.secrets not provided");
  });

  it("bug_report offers the details to send", async () => {
    start(SAMPLES.bug_report());
    const d = await screen.findByTestId("state-bug_report");
    expect(d).toHaveAttribute("role", "dialog");
    expect(within(d).getByTestId("bug-details")).toHaveTextContent("gateway rejected intents 4013");
  });
});
