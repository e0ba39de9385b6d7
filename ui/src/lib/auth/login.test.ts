import { screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "../../test/harness";

describe("login screen", () => {
  it("shows server, login, password and the three actions", async () => {
    renderApp();
    const form = await screen.findByTestId("login-screen");
    expect(form).toBeVisible();
    await waitFor(() => expect(screen.getByLabelText("Server")).toHaveValue("https://api.plexichat.com"));
    expect(screen.getByLabelText("Username or e-mail")).toBeInTheDocument();
    expect(screen.getByLabelText("Password")).toHaveAttribute("type", "password");
    expect(screen.getByTestId("sign-in")).toHaveTextContent("Sign in");
    expect(screen.getByTestId("create-account")).toBeInTheDocument();
    expect(screen.getByTestId("try-demo")).toBeInTheDocument();
  });

  it("shows and hides the password", async () => {
    const user = userEvent.setup();
    renderApp();
    const pw = await screen.findByLabelText("Password");
    await user.type(pw, "secret");
    await user.click(screen.getByRole("button", { name: "Show" }));
    expect(pw).toHaveAttribute("type", "text");
    await user.click(screen.getByRole("button", { name: "Hide" }));
    expect(pw).toHaveAttribute("type", "password");
  });

  it("hints when caps lock is on", async () => {
    renderApp();
    const pw = await screen.findByLabelText("Password");
    expect(screen.queryByTestId("caps-lock-hint")).toBeNull();
    const ev = new KeyboardEvent("keydown", { key: "A", bubbles: true });
    Object.defineProperty(ev, "getModifierState", { value: (k: string) => k === "CapsLock" });
    pw.dispatchEvent(ev);
    expect(await screen.findByTestId("caps-lock-hint")).toHaveTextContent("Caps Lock is on");
  });

  it("signs in with what the user typed and reaches the chat", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp();
    await user.type(await screen.findByLabelText("Username or e-mail"), "demo");
    await user.type(screen.getByLabelText("Password"), "hunter2");
    await user.click(screen.getByTestId("sign-in"));
    expect(mock.calls.find((c) => c.command === "sign_in")?.args).toEqual({
      server_url: "https://api.plexichat.com",
      login: "demo",
      password: "hunter2",
    });
    expect(await screen.findByTestId("state-ready", {}, { timeout: 3000 })).toBeInTheDocument();
  });

  it("shows a field error with attempts left after a wrong password", async () => {
    const user = userEvent.setup();
    renderApp();
    await user.type(await screen.findByLabelText("Username or e-mail"), "demo");
    await user.type(screen.getByLabelText("Password"), "wrong");
    await user.click(screen.getByTestId("sign-in"));
    const err = await screen.findByTestId("state-invalid_credentials");
    expect(err).toHaveTextContent("Wrong username or password");
    expect(err).toHaveTextContent("4 attempts left");
    expect(screen.getByLabelText("Password")).toHaveAttribute("aria-invalid", "true");
  });

  it("starts the demo", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp();
    await user.click(await screen.findByTestId("try-demo"));
    expect(mock.calls.some((c) => c.command === "start_demo")).toBe(true);
    expect(await screen.findByTestId("state-ready", {}, { timeout: 3000 })).toBeInTheDocument();
  });
});
