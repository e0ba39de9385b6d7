import { screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "../../test/harness";
import { checkPassword } from "./password-rules";

describe("register", () => {
  it("checks the server's password rules live while typing", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp();
    await user.click(await screen.findByTestId("create-account"));
    const rules = await screen.findByTestId("password-rules");
    await waitFor(() => expect(within(rules).getAllByRole("listitem")).toHaveLength(4));
    expect(mock.calls.find((c) => c.command === "get_password_requirements")?.args).toEqual({ server_url: "https://api.plexichat.com" });
    const pw = screen.getByLabelText("Password");
    await user.type(pw, "abc");
    const met = () => within(rules).getAllByRole("listitem").filter((li) => li.dataset.met === "true").map((li) => li.textContent?.trim());
    expect(met()).toEqual(["✓ A lowercase letter (met)"]);
    const submit = screen.getByRole("button", { name: "Continue" });
    await user.type(screen.getByLabelText("E-mail"), "a@b.c");
    await user.type(screen.getByLabelText("Username"), "newbie");
    expect(submit).toBeDisabled();
    await user.type(pw, "DEF123");
    expect(met()).toHaveLength(4);
    expect(submit).toBeEnabled();
  });

  it("shows a conflict as a field error on the right field", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp();
    await user.click(await screen.findByTestId("create-account"));
    mock.failNext("register", { code: "failed", message: "Username taken", state: { state: "conflict", field: "username", message: "Username already taken" } });
    await user.type(screen.getByLabelText("E-mail"), "a@b.c");
    await user.type(screen.getByLabelText("Username"), "alice");
    await user.type(screen.getByLabelText("Password"), "Abcdef12");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByText("Username already taken")).toBeInTheDocument();
    expect(screen.getByLabelText("Username")).toHaveAttribute("aria-invalid", "true");
  });

  it("password rules: only the rules the server asks for", () => {
    const req = { min_length: 3, max_length: 5, require_uppercase: false, require_lowercase: false, require_digit: false, require_special: true };
    expect(checkPassword("abc", req).map((r) => [r.id, r.isMet])).toEqual([["length", true], ["special", false]]);
    expect(checkPassword("abcdef!", req).map((r) => [r.id, r.isMet])).toEqual([["length", true], ["max", false], ["special", true]]);
  });
});

describe("sign-in flow", () => {
  it("goes through 2FA with a 6-digit code", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp();
    await user.type(await screen.findByLabelText("Username or e-mail"), "2fa");
    await user.type(screen.getByLabelText("Password"), "pw");
    await user.click(screen.getByTestId("sign-in"));
    const code = await screen.findByLabelText("Authentication code");
    const verify = screen.getByRole("button", { name: "Verify" });
    await user.type(code, "12a34");
    expect(code).toHaveValue("1234");
    expect(verify).toBeDisabled();
    await user.type(code, "56");
    await user.click(verify);
    expect(mock.calls.find((c) => c.command === "submit_two_factor")?.args).toEqual({ code: "123456" });
    expect(await screen.findByTestId("state-ready", {}, { timeout: 3000 })).toBeInTheDocument();
  });

  it("a lockout answer to sign-in shows the countdown notice", async () => {
    const user = userEvent.setup();
    renderApp();
    await user.type(await screen.findByLabelText("Username or e-mail"), "locked");
    await user.type(screen.getByLabelText("Password"), "pw");
    await user.click(screen.getByTestId("sign-in"));
    expect(await screen.findByTestId("state-account_locked")).toHaveTextContent(/Try again in 1[45]:\d\d/);
  });

  it("a sign-in rejected with an update state opens the update dialog", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp();
    mock.failNext("sign_in", {
      code: "failed",
      message: "Version outdated",
      state: { state: "update_required", client_version: "a.1.0-49", min_version: "a.1.0-50", server_version: "a.1.0-50", update_url: null },
    });
    await user.type(await screen.findByLabelText("Username or e-mail"), "demo");
    await user.type(screen.getByLabelText("Password"), "pw");
    await user.click(screen.getByTestId("sign-in"));
    expect(await screen.findByTestId("state-update_required")).toBeInTheDocument();
  });

  it("re-signing in after a session expiry returns to the same channel", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp({ initialState: { state: "ready", user: { id: "1000", username: "demo", display_name: null, avatar_url: null } } });
    await user.click(await screen.findByRole("button", { name: /^# ?random$/ }));
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("random"));
    mock.setUiState({ state: "login_required", reason: "token_expired", message: "Token expired" });
    const dialog = await screen.findByTestId("state-login_required");
    await user.type(within(dialog).getByLabelText("Password"), "pw");
    await user.clear(within(dialog).getByLabelText("Username or e-mail"));
    await user.type(within(dialog).getByLabelText("Username or e-mail"), "demo");
    await user.click(within(dialog).getByTestId("sign-in"));
    await waitFor(() => expect(screen.queryByTestId("state-login_required")).toBeNull(), { timeout: 3000 });
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("random");
  });

  it("a wrong password while re-signing in keeps the chat underneath", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp({ initialState: { state: "ready", user: { id: "1000", username: "demo", display_name: null, avatar_url: null } } });
    await user.click(await screen.findByRole("button", { name: /^# ?random$/ }));
    mock.setUiState({ state: "login_required", reason: "invalid_token", message: "Invalid token" });
    const dialog = await screen.findByTestId("state-login_required");
    expect(dialog).toHaveTextContent("Your session is no longer valid.");
    await user.type(within(dialog).getByLabelText("Username or e-mail"), "demo");
    await user.type(within(dialog).getByLabelText("Password"), "wrong");
    await user.click(within(dialog).getByTestId("sign-in"));
    expect(await within(screen.getByTestId("state-login_required")).findByTestId("state-invalid_credentials")).toHaveTextContent("4 attempts left");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("random");
  });

  it("a sign-in answer moves on even before the core's state event", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp();
    mock.resolveNext("sign_in", { outcome: "two_factor_required", expires_at: Date.now() + 60_000, methods: ["totp"] });
    await user.type(await screen.findByLabelText("Username or e-mail"), "someone");
    await user.type(screen.getByLabelText("Password"), "pw");
    await user.click(screen.getByTestId("sign-in"));
    expect(await screen.findByLabelText("Authentication code")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Use a backup code" })).toBeNull();
    mock.resolveNext("submit_two_factor", { id: "1000", username: "demo", display_name: null, avatar_url: null });
    await user.type(screen.getByLabelText("Authentication code"), "123456");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    expect(await screen.findByTestId("state-ready")).toBeInTheDocument();
  });

  it("opens the demo by itself when launched with --demo", async () => {
    const { mock } = renderApp({ demoAutostart: true });
    expect(await screen.findByTestId("state-ready", {}, { timeout: 3000 })).toBeInTheDocument();
    expect(mock.calls.filter((c) => c.command === "start_demo")).toHaveLength(1);
  });
});
