//! The mock backend's polls: the reference's rules (one vote per user, creator-only close,
//! refusals as `PollUpdate.refusal`) in memory, for component tests and `npm run dev`.

import type { NewPoll } from "../bindings/NewPoll";
import type { PollResults } from "../bindings/PollResults";
import type { PollUpdate } from "../bindings/PollUpdate";

type Stored = { results: PollResults; votes: Map<string, string[]> };

/** In-memory polls keyed by id. */
export function createMockPolls(meId: () => string) {
  const polls = new Map<string, Stored>();
  let nextId = 700_000;

  function view(p: Stored): PollResults {
    const mine = p.votes.get(meId()) ?? [];
    const options = p.results.poll.options.map((o) => ({ ...o, vote_count: [...p.votes.values()].filter((v) => v.includes(o.id)).length }));
    const total = [...p.votes.values()].reduce((n, v) => n + v.length, 0);
    return { ...p.results, poll: { ...p.results.poll, total_votes: total }, options, total_votes: total, user_voted: mine.length > 0, user_votes: mine };
  }

  function refused(id: string, refusal: PollUpdate["refusal"]): PollUpdate {
    const p = polls.get(id);
    return { results: p ? view(p) : null, refusal };
  }

  return {
    /** Creates a poll for message `messageId`; returns its id. */
    create(messageId: string, spec: NewPoll, createdBy: string): string {
      const id = String(nextId++);
      const now = Date.now();
      const options = spec.options.filter((o) => o.trim()).map((text, position) => ({ id: String(nextId++), text, position, vote_count: null }));
      const poll = {
        id,
        message_id: messageId,
        question: spec.question.trim(),
        created_by: createdBy,
        ends_at: spec.duration_hours ? now + spec.duration_hours * 3_600_000 : null,
        ended_at: null,
        allow_multiple_choice: spec.allow_multiple_choice,
        options,
        total_votes: 0,
        is_ended: false,
      };
      polls.set(id, { results: { poll, options, total_votes: 0, user_voted: false, user_votes: [] }, votes: new Map() });
      return id;
    },
    /** Someone else votes (tests: "results change"). */
    voteAs(userId: string, id: string, optionIds: string[]): void {
      polls.get(id)?.votes.set(userId, optionIds);
    },
    handlers: {
      poll_results: (a: { poll_id: string }) => {
        const p = polls.get(a.poll_id);
        if (!p) throw { code: "failed", message: "Poll not found", state: { state: "not_found", entity: "message", message: "Poll not found" } };
        return view(p);
      },
      vote_poll: (a: { poll_id: string; option_ids: string[] }): PollUpdate => {
        const p = polls.get(a.poll_id);
        if (!p) return refused(a.poll_id, "not_found");
        if (p.results.poll.is_ended) return refused(a.poll_id, "ended");
        if (a.option_ids.length > 1 && !p.results.poll.allow_multiple_choice) return refused(a.poll_id, "single_choice");
        if (!a.option_ids.every((o) => p.results.poll.options.some((x) => x.id === o))) return refused(a.poll_id, "invalid_option");
        if (p.votes.has(meId())) return refused(a.poll_id, "already_voted");
        p.votes.set(meId(), a.option_ids);
        return { results: view(p), refusal: null };
      },
      close_poll: (a: { poll_id: string }): PollUpdate => {
        const p = polls.get(a.poll_id);
        if (!p) return refused(a.poll_id, "not_found");
        if (p.results.poll.created_by !== meId()) return refused(a.poll_id, "not_creator");
        if (p.results.poll.is_ended) return refused(a.poll_id, "ended");
        p.results.poll = { ...p.results.poll, is_ended: true, ended_at: Date.now() };
        return { results: view(p), refusal: null };
      },
    },
  };
}

/** The mock polls' type. */
export type MockPolls = ReturnType<typeof createMockPolls>;
