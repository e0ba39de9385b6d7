import { screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "../../test/harness";
import { formatTime } from "../format";

const SERVER = "https://api.plexichat.com";
const HOUR = 3_600_000;

async function fillLogin(user: ReturnType<typeof userEvent.setup>, login = "demo", password = "hunter2") {
  await user.type(await screen.findByLabelText("Username or e-mail"), login);
  await user.type(screen.getByLabelText("Password"), password);
}

describe("a long rate-limit wait on the auth screen", () => {
  it("a sign-in refused for 25 minutes says until when, counts down, and keeps the form", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp();
    mock.limitNext("sign_in", 25 * 60_000);
    await fillLogin(user);
    await user.click(screen.getByTestId("sign-in"));

    const notice = await screen.findByTestId("long-wait");
    const wait = mock.waits[0];
    expect(notice).toHaveTextContent("Signing in is paused");
    expect(notice).toHaveTextContent(`Try again at ${formatTime(wait.retry_at)}`);
    expect(notice.querySelector('[role="timer"]')?.textContent).toMatch(/^2[45]:\d\d$/);
    expect(notice).toHaveTextContent("You'll be signed in automatically");
    // Nothing the user typed is lost, and the form stays editable.
    expect(screen.getByLabelText("Password")).toHaveValue("hunter2");
    expect(screen.getByLabelText("Username or e-mail")).toBeEnabled();
    expect(screen.getByLabelText("Server")).toBeEnabled();
    expect(screen.getByTestId("try-demo")).toBeEnabled();
  });

  it("retries by itself when the time comes, only if nothing was changed", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp();
    mock.limitNext("sign_in", 1500);
    await fillLogin(user);
    await user.click(screen.getByTestId("sign-in"));
    await screen.findByTestId("long-wait");
    expect(await screen.findByTestId("state-ready", {}, { timeout: 4000 })).toBeInTheDocument();
    expect(mock.calls.filter((c) => c.command === "sign_in")).toHaveLength(2);
  });

  it("does not retry after the user changed the form or cancelled", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp();
    mock.limitNext("sign_in", 1200);
    await fillLogin(user);
    await user.click(screen.getByTestId("sign-in"));
    await screen.findByTestId("long-wait");
    await user.type(screen.getByLabelText("Password"), "3");
    expect(screen.getByTestId("long-wait")).toHaveTextContent("You changed the form");
    await new Promise((r) => setTimeout(r, 1800));
    expect(mock.calls.filter((c) => c.command === "sign_in")).toHaveLength(1);
    expect(screen.queryByTestId("long-wait")).toBeNull();
    expect(screen.getByTestId("sign-in")).toBeEnabled();

    mock.limitNext("sign_in", 1200);
    await user.click(screen.getByTestId("sign-in"));
    await screen.findByTestId("long-wait");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.getByTestId("long-wait")).not.toHaveTextContent("automatically");
    await new Promise((r) => setTimeout(r, 1800));
    expect(mock.calls.filter((c) => c.command === "sign_in")).toHaveLength(2);
  });

  it("a wait kept from an earlier run shows at once, and another server is not held back", async () => {
    const user = userEvent.setup();
    renderApp({ waits: [{ action: "sign_in", server_url: SERVER, retry_at: Date.now() + HOUR, scope: "route", global: false }] });
    const notice = await screen.findByTestId("long-wait");
    expect(notice).toHaveTextContent("Signing in is paused");
    await fillLogin(user);
    expect(screen.getByTestId("sign-in")).toBeDisabled();
    const server = screen.getByLabelText("Server");
    await user.clear(server);
    await user.type(server, "http://127.0.0.1:9");
    await waitFor(() => expect(screen.queryByTestId("long-wait")).toBeNull());
    expect(screen.getByTestId("sign-in")).toBeEnabled();
  });

  it("a registration refused for the rest of the hour says so and keeps the form", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp();
    await user.click(await screen.findByTestId("create-account"));
    mock.limitNext("register", HOUR);
    await user.type(screen.getByLabelText("E-mail"), "new@plexichat.com");
    await user.type(screen.getByLabelText("Username"), "newbie");
    await user.type(screen.getByLabelText("Password"), "Str0ng-Password!");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    const notice = await screen.findByTestId("long-wait");
    expect(notice).toHaveTextContent("Creating accounts is paused");
    expect(notice).toHaveTextContent(`Try again at ${formatTime(mock.waits[0].retry_at)}`);
    expect(screen.getByLabelText("Username")).toHaveValue("newbie");
  });
});
