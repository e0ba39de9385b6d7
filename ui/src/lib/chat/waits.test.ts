import { screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "../../test/harness";
import { formatTime } from "../format";

const READY = { state: "ready", user: { id: "1000", username: "demo", display_name: "Demo User", avatar_url: null } } as const;
const HOUR = 3_600_000;
/** These tests wait on real timers; a loaded CI machine needs more than the default. */
const SLOW = 20_000;

async function startChat() {
  const r = renderApp({ initialState: READY });
  await waitFor(() => expect(screen.getAllByTestId("message").length).toBeGreaterThan(0));
  return r;
}

describe("a send held back by an hourly window", () => {
  it("says when it goes out, counts down, and can be cancelled", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    mock.rateLimitNextSend(HOUR);
    const before = Date.now();
    await user.type(screen.getByTestId("composer"), "see you later{Enter}");
    const pending = await screen.findByTestId("pending-message");
    const notice = await within(pending).findByTestId("long-wait");
    expect(notice).toHaveTextContent("Sending is paused");
    const at = [formatTime(before + HOUR), formatTime(before + HOUR + 2000)];
    expect(at.some((t) => notice.textContent?.includes(`Sends at ${t}`))).toBe(true);
    expect(notice.querySelector('[role="timer"]')?.textContent).toMatch(/^(59:\d\d|1 h 00 min)$/);
    // The composer stays usable while the send waits.
    expect(screen.getByTestId("composer")).toBeEnabled();
    await user.click(within(pending).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByTestId("pending-message")).toBeNull());
    expect(mock.calls.some((c) => c.command === "cancel_send")).toBe(true);
  }, SLOW);

  it("Edit takes the text back into the composer instead of sending it later", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    mock.rateLimitNextSend(HOUR);
    await user.type(screen.getByTestId("composer"), "second thoughts{Enter}");
    const pending = await screen.findByTestId("pending-message");
    await within(pending).findByTestId("long-wait");
    await user.click(within(pending).getByRole("button", { name: "Edit" }));
    await waitFor(() => expect(screen.queryByTestId("pending-message")).toBeNull());
    expect(screen.getByTestId("composer")).toHaveValue("second thoughts");
  }, SLOW);

  it("any other action held back for an hour says until when, not 'a few seconds'", async () => {
    const user = userEvent.setup();
    const { mock } = await startChat();
    const retry_at = Date.now() + HOUR;
    mock.failNext("load_messages", { code: "failed", message: "rate limited", state: { state: "rate_limited", retry_at, scope: "route", global: false } });
    await user.click(screen.getByRole("button", { name: /^# ?random$/ }));
    const notice = await screen.findByTestId("inline-notice");
    expect(notice).toHaveTextContent(`Try again at ${formatTime(retry_at)}`);
    expect(notice).not.toHaveTextContent("few seconds");
  }, SLOW);
});
