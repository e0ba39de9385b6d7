import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { setBackend } from "../ipc";
import { createMockBackend, type MockBackend } from "../mock-backend";
import PollCard from "./PollCard.svelte";
import PollCreator from "./PollCreator.svelte";
import { REFUSAL_TEXT, endsIn } from "./refusals";

function newPoll(mock: MockBackend, opts: { multiple?: boolean; by?: string } = {}) {
  return mock.polls.create("1", { question: "Lunch?", options: ["pizza", "sushi", "salad"], duration_hours: 24, allow_multiple_choice: opts.multiple ?? false }, opts.by ?? mock.me.id);
}

describe("PollCard", () => {
  let mock: MockBackend;
  beforeEach(() => {
    mock = createMockBackend({ demo: true });
    setBackend(mock);
  });

  it("votes, then shows the results with the user's own choice", async () => {
    const user = userEvent.setup();
    const id = newPoll(mock, { by: "someone-else" });
    mock.polls.voteAs("bob", id, [mock.polls.handlers.poll_results({ poll_id: id }).options[1].id]);
    render(PollCard, { pollId: id, meId: mock.me.id });
    await screen.findByRole("heading", { name: "Lunch?" });
    expect(screen.getByTestId("poll-vote")).toBeDisabled();
    expect(screen.queryByTestId("poll-close")).toBeNull();
    await user.click(screen.getByLabelText("pizza"));
    await user.click(screen.getByTestId("poll-vote"));
    const rows = await screen.findAllByTestId("poll-option");
    expect(rows.map((r) => r.textContent?.replace(/\s+/g, ""))).toEqual(["pizza·yourvote50%(1)", "sushi50%(1)", "salad0%(0)"]);
    expect(screen.getByTestId("poll-meta")).toHaveTextContent("2 votes · ends in 24 hours");
  });

  it("shows new votes from others as the card refreshes", async () => {
    const id = newPoll(mock);
    const results = mock.polls.handlers.poll_results({ poll_id: id });
    mock.polls.handlers.vote_poll({ poll_id: id, option_ids: [results.options[0].id] });
    render(PollCard, { pollId: id, meId: mock.me.id, refreshMs: 50 });
    await waitFor(() => expect(screen.getByTestId("poll-meta")).toHaveTextContent("1 vote"));
    mock.polls.voteAs("bob", id, [results.options[2].id]);
    await waitFor(() => expect(screen.getByTestId("poll-meta")).toHaveTextContent("2 votes"));
  });

  it("lets the creator close the poll and shows final results", async () => {
    const user = userEvent.setup();
    const id = newPoll(mock);
    render(PollCard, { pollId: id, meId: mock.me.id });
    await user.click(await screen.findByTestId("poll-close"));
    await waitFor(() => expect(screen.getByTestId("poll-meta")).toHaveTextContent("Final results"));
    expect(screen.queryByTestId("poll-vote")).toBeNull();
    expect(screen.getAllByTestId("poll-option")).toHaveLength(3);
  });

  it.each([
    ["ended", { results: null, refusal: "ended" }],
    ["already_voted", { results: null, refusal: "already_voted" }],
    ["not_creator", { results: null, refusal: "not_creator" }],
  ] as const)("says why the server refused (%s)", async (refusal, update) => {
    const user = userEvent.setup();
    const id = newPoll(mock);
    render(PollCard, { pollId: id, meId: mock.me.id });
    await screen.findByRole("heading", { name: "Lunch?" });
    if (refusal === "not_creator") {
      mock.resolveNext("close_poll", update);
      await user.click(screen.getByTestId("poll-close"));
    } else {
      mock.resolveNext("vote_poll", update);
      await user.click(screen.getByLabelText("sushi"));
      await user.click(screen.getByTestId("poll-vote"));
    }
    const notice = await screen.findByTestId("poll-refusal");
    expect(notice).toHaveAttribute("data-refusal", refusal);
    expect(notice).toHaveTextContent(REFUSAL_TEXT[refusal]);
  });

  it("says a poll that is gone is no longer available", async () => {
    render(PollCard, { pollId: "999", meId: mock.me.id });
    expect(await screen.findByTestId("poll-gone")).toHaveTextContent(REFUSAL_TEXT.not_found);
  });

  it("offers checkboxes on a multiple-choice poll", async () => {
    const user = userEvent.setup();
    const id = newPoll(mock, { multiple: true });
    render(PollCard, { pollId: id, meId: mock.me.id });
    await screen.findByRole("heading", { name: "Lunch?" });
    await user.click(screen.getByLabelText("pizza"));
    await user.click(screen.getByLabelText("salad"));
    await user.click(screen.getByTestId("poll-vote"));
    const rows = await screen.findAllByTestId("poll-option");
    expect(rows.filter((r) => r.classList.contains("mine"))).toHaveLength(2);
  });
});

describe("PollCreator", () => {
  it("posts a poll with its options, duration and choice mode", async () => {
    const user = userEvent.setup();
    const mock = createMockBackend({ demo: true });
    setBackend(mock);
    const onclose = vi.fn();
    render(PollCreator, { channelId: "10", onclose });
    const dialog = screen.getByTestId("poll-creator");
    expect(screen.getByTestId("poll-create-submit")).toBeDisabled();
    await user.type(screen.getByTestId("poll-question"), "Movie night?");
    const [a, b] = screen.getAllByTestId("poll-option-input");
    await user.type(a, "Friday");
    await user.type(b, "Saturday");
    await user.click(screen.getByTestId("poll-add-option"));
    await user.type(screen.getAllByTestId("poll-option-input")[2], "Sunday");
    await user.selectOptions(screen.getByTestId("poll-duration"), "1 week");
    await user.click(screen.getByTestId("poll-multiple"));
    await user.click(within(dialog).getByTestId("poll-create-submit"));
    await waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(mock.calls.find((c) => c.command === "create_poll")?.args).toEqual({
      channel_id: "10",
      poll: { question: "Movie night?", options: ["Friday", "Saturday", "Sunday"], duration_hours: 168, allow_multiple_choice: true },
    });
  });

  it("shows the core's field error and keeps the dialog open", async () => {
    const user = userEvent.setup();
    const mock = createMockBackend({ demo: true });
    setBackend(mock);
    mock.failNext("create_poll", { code: "failed", message: "x", state: { state: "invalid_input", field: "options", message: "Two options say the same" } });
    render(PollCreator, { channelId: "10", onclose: vi.fn() });
    await user.type(screen.getByTestId("poll-question"), "Q");
    const [a, b] = screen.getAllByTestId("poll-option-input");
    await user.type(a, "x");
    await user.type(b, "x");
    await user.click(screen.getByTestId("poll-create-submit"));
    expect(await screen.findByTestId("poll-create-error")).toHaveTextContent("Two options say the same");
    expect(screen.getAllByTestId("poll-option-input")[0]).toHaveAttribute("aria-invalid", "true");
  });
});

describe("endsIn", () => {
  it("words the time left", () => {
    expect(endsIn(null, 0)).toBeNull();
    expect(endsIn(90_000, 0)).toBe("ends in 2 minutes");
    expect(endsIn(3 * 3_600_000, 0)).toBe("ends in 3 hours");
    expect(endsIn(72 * 3_600_000, 0)).toBe("ends in 3 days");
    expect(endsIn(0, 1)).toBe("ended");
  });
});
