import { vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "../../test/harness";

// Whole flows through lazily loaded panels on a shared 2-core machine.
vi.setConfig({ testTimeout: 60_000 });

const READY = { state: "ready", user: { id: "1000", username: "demo", display_name: "Demo User", avatar_url: null } } as const;

async function openSettings(tab: string) {
  const user = userEvent.setup();
  const r = renderApp({ initialState: READY });
  await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(0));
  await user.click(screen.getByRole("button", { name: "Settings" }));
  await user.click(screen.getByRole("tab", { name: tab }));
  // The tab's panel is loaded on first open: give the dynamic import time.
  if (tab !== "My account") await screen.findByTestId(tab === "Security" ? "security-panel" : "sessions-panel", {}, { timeout: 15_000 });
  return { user, ...r };
}

describe("two-factor setup", () => {
  it("turns 2FA on: password, QR code and key, a code, then backup codes shown once", async () => {
    const { user, mock } = await openSettings("Security");
    await user.click(await screen.findByRole("button", { name: "Turn on…" }));
    await user.type(within(screen.getByTestId("two-factor")).getByLabelText("Password"), "wrong");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByTestId("tfa-error")).toHaveTextContent("That password is not right.");

    await user.clear(within(screen.getByTestId("two-factor")).getByLabelText("Password"));
    await user.type(within(screen.getByTestId("two-factor")).getByLabelText("Password"), "right");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    const qr = await screen.findByRole("img", { name: /QR code/ });
    expect(qr.querySelector("path")?.getAttribute("d")).toBe("M0 0h1v1h-1zM2 0h1v1h-1z");
    expect(screen.getByTestId("tfa-secret")).toHaveTextContent("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
    expect(screen.getByTestId("tfa-warning")).toHaveTextContent("Keep this window signed in");

    const code = screen.getByLabelText(/6-digit code/);
    await user.type(code, "000000");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    expect(await screen.findByTestId("tfa-error")).toHaveTextContent("did not match");
    expect(code).toHaveAttribute("aria-invalid", "true");

    await user.clear(code);
    await user.type(code, "123456");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    const codes = await screen.findByTestId("tfa-backup-codes");
    expect(within(codes).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["A1B2-C3D4", "E5F6-0718", "293A-4B5C"]);
    await user.click(screen.getByRole("button", { name: "Save to file" }));
    expect(await screen.findByText(/Saved to \/home\/mock\/Downloads/)).toBeInTheDocument();
    expect(mock.calls.find((c) => c.command === "save_backup_codes")?.args).toEqual({ codes: ["A1B2-C3D4", "E5F6-0718", "293A-4B5C"] });

    const done = screen.getByRole("button", { name: "Done" });
    expect(done).toBeDisabled();
    await user.click(screen.getByLabelText("I have saved my backup codes"));
    await user.click(done);
    expect(await screen.findByTestId("tfa-status")).toHaveTextContent("On");
    expect(screen.queryByTestId("tfa-backup-codes")).toBeNull();
    expect(screen.queryByText("A1B2-C3D4")).toBeNull();
  });

  it("says when sign-in attempts are rate limited", async () => {
    const { user, mock } = await openSettings("Security");
    await user.click(await screen.findByRole("button", { name: "Turn on…" }));
    mock.failNext("begin_two_factor", { code: "failed", message: "rate limited", state: { state: "rate_limited", retry_at: Date.now() + 30_000, scope: "route", global: false } });
    await user.type(within(screen.getByTestId("two-factor")).getByLabelText("Password"), "right");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByTestId("tfa-error")).toHaveTextContent(/Too many tries. Try again in/);
    expect(screen.getByRole("button", { name: "Continue" })).toBeDisabled();
  });

  it("turns 2FA off with the password and a code", async () => {
    const { user, mock } = await openSettings("Security");
    mock.resolveNext("two_factor_status", { enabled: true, backup_codes_remaining: 7 });
    await user.click(screen.getByRole("tab", { name: "Sessions" }));
    await user.click(screen.getByRole("tab", { name: "Security" }));
    expect(await screen.findByTestId("tfa-status")).toHaveTextContent("7 backup codes left");
    await user.click(screen.getByRole("button", { name: "Turn off…" }));
    await user.type(within(screen.getByTestId("two-factor")).getByLabelText("Password"), "right");
    await user.type(screen.getByLabelText("Code"), "111111");
    await user.click(screen.getByRole("button", { name: "Turn off" }));
    expect(await screen.findByTestId("tfa-error")).toHaveTextContent("did not match");
    await user.clear(screen.getByLabelText("Code"));
    await user.type(screen.getByLabelText("Code"), "123456");
    await user.click(screen.getByRole("button", { name: "Turn off" }));
    expect(await screen.findByText("Two-factor authentication is off.")).toBeInTheDocument();
  });
});

describe("password change", () => {
  it("checks the rules live, words a wrong current password, then offers to end other sessions", async () => {
    const { user, mock } = await openSettings("Security");
    const panel = await screen.findByTestId("password-panel");
    const submit = within(panel).getByRole("button", { name: "Change password" });
    await user.type(within(panel).getByLabelText("Current password"), "nope");
    await user.type(within(panel).getByLabelText("New password"), "abc");
    await user.type(within(panel).getByLabelText("Repeat the new password"), "abc");
    expect(submit).toBeDisabled();
    await user.type(within(panel).getByLabelText("New password"), "DEF123");
    await user.clear(within(panel).getByLabelText("Repeat the new password"));
    await user.type(within(panel).getByLabelText("Repeat the new password"), "abcDEF123");
    expect(submit).toBeEnabled();
    await user.click(submit);
    expect(await within(panel).findByTestId("password-error")).toHaveTextContent("Your current password is not right.");
    expect(within(panel).getByLabelText("Current password")).toHaveAttribute("aria-invalid", "true");

    await user.clear(within(panel).getByLabelText("Current password"));
    await user.type(within(panel).getByLabelText("Current password"), "right");
    await user.click(submit);
    expect(await screen.findByTestId("password-changed")).toHaveTextContent("other sessions are still signed in");
    await user.click(screen.getByTestId("password-end-others"));
    expect(await screen.findByText("Signed out 1 other session.")).toBeInTheDocument();
    expect(mock.calls.filter((c) => c.command === "change_password").at(-1)?.args).toEqual({ current_password: "right", new_password: "abcDEF123" });
  });
});

describe("sessions", () => {
  it("signs out everywhere else, and ending this device's session goes to the login screen", async () => {
    const { user } = await openSettings("Sessions");
    const rows = await screen.findAllByTestId("session");
    expect(rows[0]).toHaveTextContent("This device");
    expect(rows[1]).toHaveTextContent("203.0.113.7");
    await user.click(screen.getByRole("button", { name: "Sign out everywhere else" }));
    expect(await screen.findByText("Signed out 1 other session.")).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId("session")).toHaveLength(1));
    await user.click(screen.getByRole("button", { name: "Sign out this device" }));
    await user.click(screen.getByTestId("confirm-end-current"));
    expect(await screen.findByTestId("login-screen")).toBeInTheDocument();
  });
});

describe("forgot password", () => {
  it("requests a reset, then sets a new password with the mailed code", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp();
    await user.click(await screen.findByTestId("forgot-password"));
    await user.type(await screen.findByLabelText("E-mail", {}, { timeout: 15_000 }), "demo@example.com");
    await user.click(screen.getByRole("button", { name: "Send reset code" }));
    expect(await screen.findByTestId("reset-sent")).toHaveTextContent("answers the same either way");
    await user.type(screen.getByLabelText("Reset code from the e-mail"), "bad-token");
    await user.type(screen.getByLabelText("New password"), "abcDEF123");
    await user.click(screen.getByRole("button", { name: "Set new password" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This reset code is not valid");
    await user.clear(screen.getByLabelText("Reset code from the e-mail"));
    await user.type(screen.getByLabelText("Reset code from the e-mail"), "good-token");
    await user.click(screen.getByRole("button", { name: "Set new password" }));
    expect(await screen.findByTestId("reset-done")).toBeInTheDocument();
    expect(mock.calls.find((c) => c.command === "request_password_reset")?.args).toEqual({ server_url: "https://api.plexichat.com", email: "demo@example.com" });
    await user.click(screen.getByTestId("reset-back"));
    expect(await screen.findByTestId("login-screen")).toBeInTheDocument();
  });
});

describe("profile popout", () => {
  it("opens from a member, shows the bio as text, and offers a DM", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp({ initialState: READY });
    await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(0));
    const alice = screen.getAllByTestId("member").find((b) => b.textContent?.includes("alice"))!;
    await user.click(alice);
    const popout = await screen.findByTestId("profile-popout", {}, { timeout: 15_000 });
    expect(await within(popout).findByTestId("profile-bio")).toHaveTextContent("Gardening, <b>tea</b> and Rust.");
    expect(popout.querySelector("b")).toBeNull();
    expect(popout).toHaveTextContent("she/her");
    expect(popout).toHaveTextContent("https://example.com/alice");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("profile-popout")).toBeNull());
    await user.click(alice);
    await user.click(await within(await screen.findByTestId("profile-popout")).findByRole("button", { name: "Message" }));
    expect(mock.calls.some((c) => c.command === "open_dm")).toBe(true);
  });

  it("opens from a message author's name", async () => {
    const user = userEvent.setup();
    renderApp({ initialState: READY });
    await waitFor(() => expect(screen.getAllByTestId("message-author").length).toBeGreaterThan(0));
    const name = screen.getAllByTestId("message-author")[0];
    await user.click(name);
    const popout = await screen.findByTestId("profile-popout", {}, { timeout: 15_000 });
    expect(popout).toHaveTextContent(name.textContent ?? "");
  });
});

describe("profile settings", () => {
  it("saves the bio and who may send DMs", async () => {
    const { user, mock } = await openSettings("My account");
    const panel = await screen.findByTestId("profile-settings", {}, { timeout: 15_000 });
    const bio = within(panel).getByLabelText("About me");
    await waitFor(() => expect(bio).toBeEnabled());
    await user.type(bio, "Hello there");
    await user.click(within(panel).getByRole("button", { name: "Save profile" }));
    expect(await within(panel).findByText("Profile saved.")).toBeInTheDocument();
    expect(mock.calls.find((c) => c.command === "update_own_profile")?.args).toMatchObject({ bio: "Hello there" });
    await user.click(within(panel).getByLabelText("Friends only"));
    expect(await within(panel).findByText("Message privacy saved.")).toBeInTheDocument();
    expect(mock.calls.find((c) => c.command === "set_dm_privacy")?.args).toEqual({ allow_dms_from: "friends" });
  });
});

describe("data export", () => {
  it("requests an export with the password and shows it pending, one per day", async () => {
    const { user } = await openSettings("Security");
    const panel = await screen.findByTestId("data-export");
    await user.click(within(panel).getByRole("button", { name: "Request my data" }));
    await user.type(within(panel).getByLabelText("Password"), "wrong");
    await user.click(within(panel).getByRole("button", { name: "Request export" }));
    expect(await within(panel).findByRole("alert")).toHaveTextContent("That password is not right.");
    await user.clear(within(panel).getByLabelText("Password"));
    await user.type(within(panel).getByLabelText("Password"), "right");
    await user.click(within(panel).getByRole("button", { name: "Request export" }));
    expect(await within(panel).findByTestId("data-export-request")).toHaveTextContent("Being prepared");
    expect(within(panel).getByRole("button", { name: "Request my data" })).toBeDisabled();
  });
});
